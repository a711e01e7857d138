//! Server functions: the only door between browser and server, under `/api/`.
//! Each is thin: read the state, validate with `import::`, call the store, map errors.

pub mod auth;
pub mod contacts;
pub mod fields;
pub mod groups;
pub mod imports;
pub mod recipients;
pub mod settings;

pub use auth::*;
pub use contacts::*;
pub use fields::*;
pub use groups::*;
pub use imports::*;
pub use recipients::*;
pub use settings::*;
