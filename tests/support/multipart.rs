//! multipart/form-data as the fakes receive it: serenity sends interaction
//! answers with attachments this way, teloxide sends photos and setWebhook.

#![allow(dead_code)]

use serde_json::{Map, Value};

/// One uploaded file: the form field, the file name and the bytes.
#[derive(Clone, Debug)]
pub struct File {
    pub field: String,
    pub name: String,
    pub bytes: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct Form {
    /// Text fields, as JSON values where they parse as JSON.
    pub fields: Map<String, Value>,
    pub files: Vec<File>,
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn attr(head: &str, key: &str) -> Option<String> {
    let start = head.find(&format!("{key}=\""))? + key.len() + 2;
    let end = head[start..].find('"')? + start;
    Some(head[start..end].to_owned())
}

/// Parses `body` if `content_type` says it is multipart.
pub fn parse(content_type: Option<&str>, body: &[u8]) -> Option<Form> {
    let boundary = content_type?.split("boundary=").nth(1)?.trim_matches('"');
    let delimiter = format!("--{boundary}").into_bytes();
    let mut form = Form::default();
    let mut at = find(body, &delimiter, 0)? + delimiter.len();
    while let Some(next) = find(body, &delimiter, at) {
        let part = &body[at..next];
        at = next + delimiter.len();
        let Some(split) = find(part, b"\r\n\r\n", 0) else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..split]);
        let mut value = &part[split + 4..];
        if value.ends_with(b"\r\n") {
            value = &value[..value.len() - 2];
        }
        let Some(field) = attr(&head, "name") else {
            continue;
        };
        match attr(&head, "filename") {
            Some(name) => form.files.push(File {
                field,
                name,
                bytes: value.to_vec(),
            }),
            None => {
                let text = String::from_utf8_lossy(value).into_owned();
                let parsed = serde_json::from_str(&text).unwrap_or(Value::String(text));
                form.fields.insert(field, parsed);
            }
        }
    }
    Some(form)
}
