"""Help requests, data rights (export, erasure), retention and the privacy pages."""
