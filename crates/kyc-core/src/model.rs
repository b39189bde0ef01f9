//! The small typed values a [`SessionRequest`](crate::SessionRequest) is made of: validated
//! newtypes for the client id and countries, and the closed vocabularies (document types,
//! locales, sexes, flows, kinds) every adapter translates into its vendor's words.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumIter, EnumString, IntoStaticStr};

use crate::error::{Error, FieldError};
use crate::field::Field;
use crate::kit::ErrorExt;
use crate::validate::text_rule_violation;

/// Your own identifier for the person or company being verified.
///
/// Every vendor echoes it back in sessions, webhooks and decisions, so it ties results to your
/// records. Use an opaque id (a database key or UUID), not an email address or a name: vendors
/// store it and show it in their dashboards.
///
/// Rules: 1 to 255 characters, no control characters, no leading or trailing whitespace.
///
/// ```
/// use kyc_core::ClientId;
/// assert_eq!(ClientId::new("user-123").unwrap().as_str(), "user-123");
/// assert!(ClientId::new("").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientId(String);

impl ClientId {
    /// Checks `value` against the rules above.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest) naming `clientId` and the
    /// rule it breaks.
    pub fn new(value: impl Into<String>) -> Result<Self, Error> {
        let value = value.into();
        // Providers with tighter limits (some take 100 ASCII characters) declare them in their
        // `Capabilities`.
        let max_chars = Field::ClientId.max_chars().unwrap_or(usize::MAX);
        match text_rule_violation(&value, max_chars) {
            None => Ok(Self(value)),
            Some(rule) => Err(Error::invalid_request(vec![FieldError::new("clientId", rule)])),
        }
    }

    /// The id as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ClientId").field(&self.0).finish()
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ClientId {
    type Error = Error;
    fn try_from(value: String) -> Result<Self, Error> {
        Self::new(value)
    }
}

impl FromStr for ClientId {
    type Err = Error;
    fn from_str(value: &str) -> Result<Self, Error> {
        Self::new(value)
    }
}

impl From<ClientId> for String {
    fn from(id: ClientId) -> Self {
        id.0
    }
}

impl AsRef<str> for ClientId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The ISO 3166-1 alpha-2 codes in use (2024), plus `XK` (Kosovo): user-assigned in the
/// standard, but issued on Kosovar documents and accepted by identity vendors.
const ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL \
BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK \
DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU \
GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ \
LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY \
MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU \
RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO \
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

/// An ISO 3166-1 alpha-2 country code (`"LT"`, `"US"`), checked against the assigned codes.
///
/// Parsing accepts either case and stores upper case, which is what both vendors send back.
///
/// ```
/// use kyc_core::CountryCode;
/// assert_eq!("lt".parse::<CountryCode>().unwrap().as_str(), "LT");
/// assert!("XX".parse::<CountryCode>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Parses a code, naming `field` in the error (the same type serves nationality and
    /// document country).
    pub(crate) fn parse_for(field: &str, value: &str) -> Result<Self, FieldError> {
        let code = match value.as_bytes() {
            [first, second] if first.is_ascii_alphabetic() && second.is_ascii_alphabetic() => {
                [first.to_ascii_uppercase(), second.to_ascii_uppercase()]
            }
            _ => {
                let rule = "must be an ISO 3166-1 alpha-2 code (two letters)";
                return Err(FieldError::new(field, rule));
            }
        };
        // The list is sorted, one code every three bytes: searched, not scanned.
        let codes = ALPHA2.as_bytes();
        let (mut low, mut high) = (0, codes.len().div_ceil(3));
        while low < high {
            let middle = (low + high) / 2;
            match codes[middle * 3..middle * 3 + 2].cmp(&code[..]) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return Ok(Self(code)),
            }
        }
        Err(FieldError::new(field, "must be an assigned ISO 3166-1 alpha-2 code"))
    }

    /// The code in upper case.
    pub fn as_str(&self) -> &str {
        // Only ever built from two ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl FromStr for CountryCode {
    type Err = Error;
    fn from_str(value: &str) -> Result<Self, Error> {
        Self::parse_for("country", value).map_err(|e| Error::invalid_request(vec![e]))
    }
}

impl TryFrom<String> for CountryCode {
    type Error = Error;
    fn try_from(value: String) -> Result<Self, Error> {
        value.parse()
    }
}

impl From<CountryCode> for String {
    fn from(code: CountryCode) -> Self {
        code.as_str().to_owned()
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CountryCode({})", self.as_str())
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Identity (KYC: a person) or business (KYB: a company) verification.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    EnumIter,
    AsRefStr,
    IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case", ascii_case_insensitive)]
#[non_exhaustive]
pub enum VerificationKind {
    /// A person proves who they are (KYC).
    #[default]
    Identity,
    /// A company is verified (KYB).
    Business,
}

/// What the person has to show.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    EnumIter,
    AsRefStr,
    IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case", ascii_case_insensitive)]
#[non_exhaustive]
pub enum Flow {
    /// An identity document and a selfie matched against it (iDenfy `IDENTIFICATION`).
    #[strum(to_string = "document_and_selfie", serialize = "identity")]
    DocumentAndSelfie,
    /// The identity document alone (iDenfy `DOCUMENT`).
    #[strum(to_string = "document_only", serialize = "document")]
    DocumentOnly,
}

/// Sex as printed on identity documents (`M`/`F` in the vendors' wire formats).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    EnumIter,
    AsRefStr,
    IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case", ascii_case_insensitive)]
#[non_exhaustive]
pub enum Sex {
    /// `M`.
    #[strum(to_string = "male", serialize = "m")]
    Male,
    /// `F`.
    #[strum(to_string = "female", serialize = "f")]
    Female,
}

impl Sex {
    /// The code printed on identity documents (ICAO 9303): `M` or `F`.
    pub fn document_code(self) -> &'static str {
        match self {
            Self::Male => "M",
            Self::Female => "F",
        }
    }
}

/// The identity documents the vendors document, under one name each (each adapter maps them to
/// its vendor's words). What a provider accepts is in its
/// [`Capabilities`](crate::Capabilities).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    EnumIter,
    AsRefStr,
    IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case", ascii_case_insensitive)]
#[non_exhaustive]
#[allow(missing_docs)] // the names are the documentation
pub enum DocumentType {
    Passport,
    IdCard,
    DriverLicense,
    ResidencePermit,
    Visa,
    Aadhaar,
    PanCard,
    BorderCrossing,
    Asylum,
    NationalPassport,
    InternationalPassport,
    VoterCard,
    OldIdCard,
    TravelCard,
    PhotoCard,
    MilitaryCard,
    ProofOfAgeCard,
    DiplomaticId,
}

/// The language of the verification UI: an ISO 639-1 code (`"en"`), or a BCP 47 tag with a
/// script subtag where one language is written two ways (`"zh-Hant"`, Traditional Chinese;
/// plain `"zh"` is Simplified).
///
/// The list is the languages identity vendors commonly offer; each provider's
/// [`Capabilities`](crate::Capabilities) says which of them it takes, and each adapter maps a
/// language onto its vendor's own code where that is not the ISO one (iDenfy writes Slovenian
/// `si` and Traditional Chinese `zh_tw`). A script rather than a region names a written
/// language: Traditional Chinese is read in Taiwan, Hong Kong and Macau alike, so `zh-TW`
/// parses as `zh-Hant`.
///
/// ```
/// use kyc_core::Locale;
/// assert_eq!("zh-TW".parse::<Locale>().unwrap(), Locale::ZhHant);
/// assert_eq!(Locale::ZhHant.to_string(), "zh-Hant");
/// assert_eq!("EN".parse::<Locale>().unwrap(), Locale::En);
/// ```
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    EnumIter,
    AsRefStr,
    IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase", ascii_case_insensitive)]
#[non_exhaustive]
#[allow(missing_docs)] // the language code is the documentation
pub enum Locale {
    Ar,
    Bg,
    Bn,
    Ca,
    Cs,
    Da,
    De,
    El,
    En,
    Es,
    Et,
    Fa,
    Fi,
    Fr,
    He,
    Hi,
    Hr,
    Hu,
    Hy,
    Id,
    It,
    Ja,
    Ka,
    Kk,
    Ko,
    Lt,
    Lv,
    Mk,
    Ms,
    Nb,
    Nl,
    No,
    Pl,
    Pt,
    Ro,
    Ru,
    Sk,
    Sl,
    Sq,
    Sr,
    Sv,
    Th,
    Tr,
    Uk,
    Ur,
    Uz,
    Vi,
    Zh,
    /// Chinese in traditional characters.
    #[serde(rename = "zh-Hant", alias = "zh-TW", alias = "zh-hant", alias = "zh-tw")]
    #[strum(to_string = "zh-Hant", serialize = "zh-TW")]
    ZhHant,
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn country_list_has_every_assigned_code_once() {
        let codes: Vec<&str> = ALPHA2.split(' ').collect();
        // 249 assigned codes plus XK.
        assert_eq!(codes.len(), 250);
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, codes, "list must be sorted and free of duplicates");
        // The search finds exactly the listed codes, whatever the case.
        let mut found = 0;
        for first in b'A'..=b'Z' {
            for second in b'A'..=b'Z' {
                let code = String::from_utf8(vec![first, second]).unwrap();
                let parsed = CountryCode::parse_for("c", &code.to_ascii_lowercase());
                assert_eq!(parsed.is_ok(), codes.contains(&code.as_str()), "{code}");
                found += usize::from(parsed.is_ok());
            }
        }
        assert_eq!(found, codes.len());
    }

    #[test]
    fn country_codes_normalize_and_reject() {
        assert_eq!("us".parse::<CountryCode>().unwrap().to_string(), "US");
        for bad in ["", "U", "USA", "U1", "ÜS", "XX", "  "] {
            let err = bad.parse::<CountryCode>().unwrap_err();
            assert_eq!(err.invalid_fields()[0].field(), "country", "{bad:?}");
        }
    }

    #[test]
    fn client_id_rules() {
        assert!(ClientId::new("a").is_ok());
        assert!(ClientId::new("x".repeat(255)).is_ok());
        for bad in [String::new(), "   ".into(), " a".into(), "a\n".into(), "x".repeat(256)] {
            let err = ClientId::new(bad.clone()).unwrap_err();
            assert_eq!(err.invalid_fields()[0].field(), "clientId", "{bad:?}");
        }
    }

    #[test]
    fn vocabularies_round_trip_through_strings_and_json() {
        for t in DocumentType::iter() {
            assert_eq!(t.to_string().parse::<DocumentType>().unwrap(), t);
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{t}\""));
        }
        for l in Locale::iter() {
            let code = l.as_ref();
            assert_eq!(code.split('-').next().map(str::len), Some(2), "{code}");
            assert_eq!(serde_json::to_string(&l).unwrap(), format!("\"{l}\""));
            assert_eq!(code.parse::<Locale>().unwrap(), l);
            assert_eq!(serde_json::from_str::<Locale>(&format!("\"{l}\"")).unwrap(), l);
        }
        assert_eq!(serde_json::from_str::<Locale>("\"zh-TW\"").unwrap(), Locale::ZhHant);
        assert_eq!("identity".parse::<Flow>().unwrap(), Flow::DocumentAndSelfie);
        assert_eq!("DOCUMENT".parse::<Flow>().unwrap(), Flow::DocumentOnly);
        assert_eq!(Flow::DocumentOnly.to_string(), "document_only");
        assert_eq!("F".parse::<Sex>().unwrap(), Sex::Female);
        assert_eq!(Sex::Male.to_string(), "male");
        assert_eq!("KYB".parse::<VerificationKind>().ok(), None);
        assert_eq!("business".parse::<VerificationKind>().unwrap(), VerificationKind::Business);
    }
}
