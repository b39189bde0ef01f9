// The console's only script (the Content-Security-Policy allows no inline one): the copy
// button beside a session's link.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy]");
  if (!button) return;
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.getAttribute("href") || source.textContent).then(
    function () { button.textContent = "Copied"; },
    function () { button.textContent = "Copy failed"; }
  );
});
