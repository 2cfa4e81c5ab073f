"""Scheduled publishing: what a published build records (`.cache/schedule.json`) and
`dateline due`, which tells a scheduled CI run whether to build."""
