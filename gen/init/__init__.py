"""`dateline init`: a new site that builds, passes `dateline check` and is ready to push, with
the CI workflow for its host."""

LANGUAGES = ("en", "uk")  # the languages a new site's words are written in
# Where the site is published: decides the CI workflow (and site.yaml's `host:`).
HOSTS = ("github", "gitlab", "netlify", "cloudflare", "s3")
