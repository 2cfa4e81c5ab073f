"""`dateline import`: an archive from WordPress, Jekyll or Hugo brought over as a Dateline
site, idempotently (`common`), with a report of everything that needs a person."""
