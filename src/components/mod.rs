//! What screens share: the keyboard shortcut registry, the progress bar of long work, and the
//! empty, error and offline states. Each component renders what it is given and holds no rule.

pub mod keys;
pub mod progress;
pub mod states;
