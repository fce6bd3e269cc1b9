//! A submitted form's fields as typed, to check them and to show them again.

use std::collections::HashMap;

/// A form's fields by name, as typed (a field sent twice keeps its first value). `Debug` shows
/// only the field names: the values may be personal data.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct FormValues(HashMap<String, String>);

impl FormValues {
    /// The fields of `pairs` (name, value), in any order.
    #[must_use]
    pub fn from_pairs(pairs: Vec<(String, String)>) -> FormValues {
        let mut map = HashMap::with_capacity(pairs.len());
        for (name, value) in pairs {
            map.entry(name).or_insert(value);
        }
        FormValues(map)
    }

    /// The value of `name`, empty when it was not sent.
    #[must_use]
    pub fn get<N: AsRef<str>>(&self, name: N) -> &str {
        self.0.get(name.as_ref()).map_or("", String::as_str)
    }

    /// Whether `name` was sent (even empty).
    #[must_use]
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// Sets `name` to `value`.
    pub fn set(&mut self, name: &str, value: &str) {
        self.0.insert(name.to_owned(), value.to_owned());
    }
}

impl std::fmt::Debug for FormValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.0.keys().collect();
        names.sort();
        f.debug_struct("FormValues")
            .field("fields", &names)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_sent_twice_keeps_its_first_value_and_debug_hides_values() {
        let form = FormValues::from_pairs(vec![
            ("iban".into(), "NL91ABNA0417164300".into()),
            ("iban".into(), "other".into()),
        ]);
        assert_eq!(form.get("iban"), "NL91ABNA0417164300");
        assert_eq!(form.get("city"), "");
        assert!(!format!("{form:?}").contains("NL91"));
    }
}
