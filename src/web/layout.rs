//! The page shell every HTML page shares (head, header navigation, footer), the stylesheet and
//! the small progressive script (copy buttons); HTML responses get [`crate::http::page_headers`].

use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

pub const CSS: &str = include_str!("assets/app.css");
pub const JS: &str = include_str!("assets/app.js");
pub const FAVICON: &str = include_str!("assets/favicon.svg");

/// A full HTML page: a title and the main content.
pub struct Page {
    title: String,
    main: Markup,
}

impl Page {
    pub fn new(title: &str, main: Markup) -> Page {
        Page { title: title.to_string(), main }
    }

    pub fn render(&self) -> Markup {
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    meta name="color-scheme" content="light dark";
                    title { (self.title) " · errkb" }
                    link rel="icon" href="/assets/favicon.svg" type="image/svg+xml";
                    link rel="stylesheet" href="/assets/app.css";
                    script src="/assets/app.js" defer {}
                }
                body {
                    a class="skip" href="#main" { "Skip to content" }
                    header class="top" {
                        a class="brand" href="/" { "errkb" }
                        nav aria-label="Main" {
                            a href="/" { "Search" }
                            a href="/guides" { "All guides" }
                        }
                    }
                    main id="main" { (self.main) }
                    footer { "errkb · troubleshooting guides for error codes" }
                }
            }
        }
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let mut response =
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], self.render().into_string()).into_response();
        crate::http::page_headers(response.headers_mut());
        response
    }
}
