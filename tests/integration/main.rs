//! Integration tests against the emulated card. One test binary, so each persona's RSA keys
//! are generated once per run.

mod common;

mod budget;
mod card_info;
mod card_info_auth;
mod cert_format;
mod consent_flow;
mod hostile;
mod login;
mod malformed;
mod pins;
mod progress;
mod reads;
mod signing;
mod sweep;
mod verify;
