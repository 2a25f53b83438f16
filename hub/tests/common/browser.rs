//! A browser for the console's tests: cookies kept per name, redirects not followed (so each
//! answer is seen), and the accounts it signs in with.
#![allow(dead_code)]

use std::collections::HashMap;

use dockhand_hub::console::accounts;

pub const PASSWORD: &str = "correct horse battery";

/// A browser: cookies kept per name, redirects not followed.
pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
    pub cookies: HashMap<String, String>,
}

/// An answer: status, `Location`, `Set-Cookie` lines, body.
pub struct Answer {
    pub status: u16,
    pub location: String,
    pub set_cookies: Vec<String>,
    pub csp: String,
    pub body: String,
}

impl Browser {
    pub fn new(hub: &super::TestHub) -> Self {
        Self::from(hub, None)
    }

    /// A browser on another machine: its requests leave from `address` (any of 127.0.0.0/8 is
    /// this machine's loopback).
    pub fn at(hub: &super::TestHub, address: &str) -> Self {
        Self::from(hub, Some(address.parse().unwrap()))
    }

    fn from(hub: &super::TestHub, address: Option<std::net::IpAddr>) -> Self {
        Self {
            base: hub.url.clone(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .local_address(address)
                .build()
                .unwrap(),
            cookies: HashMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn take(&mut self, response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default()
        };
        let location = header("location");
        let csp = header("content-security-policy");
        let set_cookies: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        for line in &set_cookies {
            let pair = line.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || line.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.into(), value.into());
            }
        }
        Answer {
            status,
            location,
            set_cookies,
            csp,
            body: response.text().await.unwrap(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.take(response).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.take(response).await
    }

    /// Signs in through the sign-in page's form.
    pub async fn sign_in(&mut self, name: &str, password: &str) -> Answer {
        let page = self.get("/console/signin").await;
        assert_eq!(page.status, 200);
        let form = hidden(&page.body, "form");
        self.post(
            "/console/signin",
            &[
                ("form", &form),
                ("name", name),
                ("password", password),
                ("next", "/console/exceptions"),
            ],
        )
        .await
    }

    /// The session's form token, read off a page.
    pub async fn csrf(&mut self) -> String {
        let page = self.get("/console").await;
        assert_eq!(page.status, 200, "{}", page.body);
        hidden(&page.body, "csrf")
    }
}

/// The value of the first hidden field `name` on a page.
pub fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name}"))
        + marker.len();
    body[start..start + body[start..].find('"').unwrap()].to_string()
}

pub async fn account(hub: &super::TestHub, name: &str, role: &str) {
    let (store, name, role) = (hub.store.clone(), name.to_string(), role.to_string());
    tokio::task::spawn_blocking(move || {
        assert!(accounts::put_user(store.as_ref(), &name, &role, PASSWORD, false).unwrap());
    })
    .await
    .unwrap();
}
