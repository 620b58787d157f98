"""The congress: delegates checked for eligibility, badges, check-in and the live quorum
(issue 13). Rules per kind of congress are data (kenes/jurisdictions/congress-kz.toml)."""
