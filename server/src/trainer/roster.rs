//! A room's named roster, read from the CSV a trainer's spreadsheet exports: a header
//! line naming the columns (`name`, and `email` if wanted; others are ignored, in any
//! order), then one person per line. Each person later gets a personal code and joins
//! under their name. A bad roster is refused whole, saying which line and why.

use csv::{ReaderBuilder, Trim};

/// The most people a roster may hold.
pub const MOST: usize = 1000;
/// A display name's length at most (as on the join form).
pub const NAME_MAX: usize = 60;
const EMAIL_MAX: usize = 254;

/// One person of the roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: Option<String>,
}

/// The people of `text`, in order.
pub fn parse(text: &str) -> Result<Vec<Person>, String> {
    let mut reader = ReaderBuilder::new()
        .trim(Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| format!("line 1: {e}"))?
        .clone();
    let column = |wanted: &str| header.iter().position(|h| h.eq_ignore_ascii_case(wanted));
    let Some(name_at) = column("name") else {
        return Err(
            "line 1: the header names no `name` column (write `name` or `name,email`)".into(),
        );
    };
    let email_at = column("email");
    let mut people: Vec<Person> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| match e.position() {
            Some(at) => format!("line {}: {e}", at.line()),
            None => e.to_string(),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        let name = record.get(name_at).unwrap_or_default().to_string();
        if name.is_empty() || name.chars().count() > NAME_MAX || name.chars().any(char::is_control)
        {
            return Err(format!(
                "line {line}: a name of 1 to {NAME_MAX} characters, without control characters"
            ));
        }
        let folded = name.to_lowercase();
        if people.iter().any(|p| p.name.to_lowercase() == folded) {
            return Err(format!(
                "line {line}: {name:?} is on the roster twice (the room's report tells people apart by name)"
            ));
        }
        let email = email_at
            .and_then(|at| record.get(at))
            .filter(|e| !e.is_empty())
            .map(str::to_string);
        if let Some(email) = &email
            && (email.len() > EMAIL_MAX
                || !email.contains('@')
                || email.contains(char::is_whitespace))
        {
            return Err(format!("line {line}: {email:?} is not an email address"));
        }
        people.push(Person { name, email });
        if people.len() > MOST {
            return Err(format!("line {line}: a roster holds at most {MOST} people"));
        }
    }
    if people.is_empty() {
        return Err("the roster names nobody (a header line, then a person per line)".into());
    }
    Ok(people)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str, email: Option<&str>) -> Person {
        Person {
            name: name.into(),
            email: email.map(str::to_string),
        }
    }

    #[test]
    fn a_spreadsheets_export_is_read_in_any_column_order() {
        let text = "Email,Team,Name\r\nada@example.com,blue,Ada Lovelace\r\n,red,\"Hopper, Grace\"\r\n\r\n";
        assert_eq!(
            parse(text),
            Ok(vec![
                person("Ada Lovelace", Some("ada@example.com")),
                person("Hopper, Grace", None)
            ])
        );
    }

    #[test]
    fn a_bad_roster_says_which_line_and_why() {
        assert_eq!(
            parse("email\nada@example.com\n"),
            Err("line 1: the header names no `name` column (write `name` or `name,email`)".into())
        );
        assert_eq!(
            parse("name\nÉlodie\nGrace\nélodie\n"),
            Err("line 4: \"élodie\" is on the roster twice (the room's report tells people apart by name)".into())
        );
        assert_eq!(
            parse("name,email\nAda,not-an-address\n"),
            Err("line 2: \"not-an-address\" is not an email address".into())
        );
        assert_eq!(
            parse(&format!("name\nAda\n{}\n", "x".repeat(61))),
            Err("line 3: a name of 1 to 60 characters, without control characters".into())
        );
        assert_eq!(
            parse("name\n"),
            Err("the roster names nobody (a header line, then a person per line)".into())
        );
    }
}
