//! CSV downloads, written here and nowhere else (RFC 4180): a header line,
//! CRLF line ends, a field quoted when it holds a comma, a quote or a line
//! break (its quotes doubled). A field a spreadsheet would run as a formula
//! (`=`, `+`, `-`, `@`, tab, CR first) is prefixed with `'` (OWASP's advice
//! on CSV injection): a download never runs anything.

/// A CSV document under construction.
#[derive(Debug)]
pub struct Csv {
    text: String,
}

fn field(value: &str) -> String {
    let defused = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

impl Csv {
    pub fn new(header: &[&str]) -> Self {
        let mut csv = Self {
            text: String::new(),
        };
        csv.row(header.iter().map(|h| (*h).to_owned()));
        csv
    }

    pub fn row(&mut self, fields: impl IntoIterator<Item = String>) {
        let line: Vec<String> = fields.into_iter().map(|f| field(&f)).collect();
        self.text.push_str(&line.join(","));
        self.text.push_str("\r\n");
    }

    pub fn finish(self) -> String {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_as_rfc_4180_says_and_formulas_are_defused() {
        // GIVEN a header and a row with every kind of awkward field
        let mut csv = Csv::new(&["a", "b", "c", "d", "e"]);
        csv.row([
            "plain".to_owned(),
            "with, comma".to_owned(),
            "say \"hi\"".to_owned(),
            "=HYPERLINK(\"x\")".to_owned(),
            "-1".to_owned(),
        ]);
        // THEN each line ends in CRLF, quotes double, formulas cannot run
        assert_eq!(
            csv.finish(),
            "a,b,c,d,e\r\nplain,\"with, comma\",\"say \"\"hi\"\"\",\"'=HYPERLINK(\"\"x\"\")\",'-1\r\n"
        );
    }
}
