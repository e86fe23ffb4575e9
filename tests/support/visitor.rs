//! A person's browser at the HTTP level: it keeps the cookies servers set
//! (with their attributes, so tests can check them), sends them back, and
//! follows redirects one hop at a time so each hop can be looked at.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;

/// One answer: status, where it redirects, and the body.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
    pub headers: HashMap<String, String>,
}

pub struct Visitor {
    agent: ureq::Agent,
    /// name → (value, the whole Set-Cookie line)
    pub cookies: HashMap<String, (String, String)>,
    pub accept_language: String,
}

impl Visitor {
    pub fn new(accept_language: &str) -> Visitor {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        Visitor {
            agent,
            cookies: HashMap::new(),
            accept_language: accept_language.to_owned(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, (value, _))| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, mut resp: ureq::http::Response<ureq::Body>) -> Answer {
        for line in resp.headers().get_all("set-cookie") {
            let line = line.to_str().unwrap().to_owned();
            let pair = line.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            let removed = value.is_empty() || line.to_ascii_lowercase().contains("max-age=0");
            if removed {
                self.cookies.remove(name);
            } else {
                self.cookies
                    .insert(name.to_owned(), (value.to_owned(), line.clone()));
            }
        }
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned()))
            .collect::<HashMap<_, _>>();
        Answer {
            status: resp.status().as_u16(),
            location: headers.get("location").cloned(),
            body: resp.body_mut().read_to_string().unwrap_or_default(),
            headers,
        }
    }

    pub fn get(&mut self, url: &str) -> Answer {
        let resp = self
            .agent
            .get(url)
            .header("Cookie", &self.cookie_header())
            .header("Accept-Language", &self.accept_language)
            .call()
            .unwrap();
        self.keep(resp)
    }

    pub fn post(&mut self, url: &str, fields: &[(&str, &str)]) -> Answer {
        let resp = self
            .agent
            .post(url)
            .header("Cookie", &self.cookie_header())
            .header("Accept-Language", &self.accept_language)
            .send_form(fields.iter().copied())
            .unwrap();
        self.keep(resp)
    }

    /// The body of `url` once `done` holds of it, asking every 300 ms (as
    /// a person reloading would, and within the pages' rate limit) for up
    /// to 18 s; the last body either way.
    pub async fn get_until(&mut self, url: &str, done: impl Fn(&str) -> bool) -> String {
        let mut body = String::new();
        for _ in 0..60 {
            body = self.get(url).body;
            if done(&body) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        }
        body
    }

    /// `location` made absolute against `from`.
    pub fn resolve(from: &str, location: &str) -> String {
        url::Url::parse(from).unwrap().join(location).unwrap().to_string()
    }
}

/// The value of the hidden field `name` in a page's first form that has it.
pub fn field(body: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker)? + marker.len();
    let end = body[start..].find('"')? + start;
    Some(body[start..end].to_owned())
}
