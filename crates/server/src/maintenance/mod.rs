//! What an operator runs beside the server rather than through its API: a consistent backup of
//! the SQLite database taken while the server keeps serving ([`backup`]), and the command line
//! that reaches it ([`cli`]).

pub mod backup;
pub mod cli;
