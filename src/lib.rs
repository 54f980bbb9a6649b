//! The waitroom Worker.
