"""People, roles, login and scope: the bottom layer every other app may ask.

accounts holds the rules about people, not their tables. The User and Region
models stay in audits.models (AUTH_USER_MODEL is "audits.User"): moving a
custom user model to another app once its tables exist means rewriting the
migration history (Django ticket #25313), so this app has no models and no
migrations, and imports nothing from checklists, audits or any app above them.
It reads users only through their attributes (`role`, `is_superuser`,
`regions`), never through a model import.
"""
