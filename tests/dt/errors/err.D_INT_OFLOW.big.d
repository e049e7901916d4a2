/* an integer constant beyond 64 bits */
BEGIN { x = 123456789012345678901234567890; }
