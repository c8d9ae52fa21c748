//! One scenario per seed article: its facts, replayed as commands, are accepted and give the state it describes.

mod seed_000_huining;
mod seed_001_maqu;
mod seed_002_tongren;
mod seed_003_xinjiang;
mod seed_004_anshun;
mod world;
