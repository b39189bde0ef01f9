//! A submitted HTML form (`application/x-www-form-urlencoded`), every field kept in order with
//! repeats (several document types, tags), as axum's `Form` (serde) cannot keep them.

/// The fields of a submitted form.
#[derive(Clone, Default)]
pub(crate) struct FormData(Vec<(String, String)>);

/// A form holds a password, or a person's name and date of birth: the names only.
impl std::fmt::Debug for FormData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.iter().map(|(name, _)| name)).finish()
    }
}

impl FormData {
    /// The fields of `body`.
    pub(crate) fn parse(body: &[u8]) -> Self {
        Self(url::form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// Every field, in order.
    pub(crate) fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(key, value)| (key.as_str(), value.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_fields_are_kept_in_order() {
        let form = FormData::parse(b"tag=a&csrf=x%2By&tag=b+c&empty=");
        assert_eq!(form.get("csrf"), Some("x+y"));
        assert_eq!(form.get("empty"), Some(""));
        assert_eq!(form.get("missing"), None);
        let tags: Vec<&str> = form.fields().filter(|(k, _)| *k == "tag").map(|(_, v)| v).collect();
        assert_eq!(tags, ["a", "b c"]);
        let printed = format!("{:?}", FormData::parse(b"password=hunter2&first-name=Jonas"));
        assert_eq!(printed, r#"["password", "first-name"]"#);
    }
}
