//! MDES Pre-Digitization API wire types (spec 2.0.21), exactly as the network names them.
