"""PDF signatures with pyHanko: PKI, signer backends, PAdES levels, appearance, validation."""
