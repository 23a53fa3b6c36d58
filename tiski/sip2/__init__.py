"""SIP2 for self-service machines: the third shell over the facade, beside the CLI
and the TUI. `codec` (frames and checksums), `messages` (the layouts and replies),
`acs` (one machine's conversation, over `tiski.desk`), `server` (asyncio, TLS)."""
