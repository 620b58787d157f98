# ruff: noqa: E501 (each text stays on one line, exactly as the data writes it)
"""The English texts of the jurisdiction data that pages show, for the translation catalogue.

The data files (kenes/jurisdictions/*.toml, kenes/parliament/data/majilis-results.json) are
written once, in English; `labels.data_text` shows them in the reader's language. `makemessages`
finds them here. tests/web/test_i18n_forms.py fails when a shown text is missing from this list.
"""

from django.utils.translation import gettext_noop

DATA_TEXTS = (
    gettext_noop("Law No. 344-II of 15 July 2002 'On Political Parties', Art. 10(5)"),
    gettext_noop(
        "50,000/700 OFFICIAL (Art.10(5) quoted by OSCE); initiative group size UNCONFIRMED (1,000 likely)"
    ),
    gettext_noop("2009 amendments to the Law 'On Political Parties'"),
    gettext_noop("SECONDARY"),
    gettext_noop("May 2020 amendments to the Law 'On Political Parties'"),
    gettext_noop("2022 amendments to the Law 'On Political Parties', Art. 6"),
    gettext_noop("OFFICIAL (MoJ statements; Art. 6 text)"),
    gettext_noop("Nationalrat: 183 seats, D'Hondt, 4 %"),
    gettext_noop(
        "section numbers of the NRWO not checked here; the rule itself reproduces 9/9 official results"
    ),
    gettext_noop(
        "joint lists: a 'wahlwerbende Partei' may be formed by several parties (not checked in the law)"
    ),
    gettext_noop("Majilis 2004: 10 party-list seats, 7 %"),
    gettext_noop(
        "threshold base: the law says 'voters who took part'; published CEC percentages are shares of valid party votes (DERIVED)"
    ),
    gettext_noop("Majilis 2007: 98 party-list seats, 7 %, no runner-up rule"),
    gettext_noop("Majilis 2012-2021: 98 party-list seats, 7 %, runner-up rule"),
    gettext_noop(
        "runner-up rule: seats left after the corrected quotient go to the leading list (our reading of the rule; never applied in an election)"
    ),
    gettext_noop("Majilis 2023: 69 party-list seats, 5 %, 'against all' in the base"),
    gettext_noop("threshold base incl. 'against all': DERIVED from the CEC percentages of 2023"),
    gettext_noop(
        "whether the runner-up rule survived the 2022 reform is unknown (majilis-rules.json: null); not applied"
    ),
    gettext_noop(
        "Kazinform (en.inform.kz), 22 Mar 2016: CEC chairman K. Turgankulov, results of 20 March 2016"
    ),
    gettext_noop("RFE/RL, 22 Mar 2016 (84/7/7; 82.2/7.18/7.14 %)"),
    gettext_noop(
        "The Astana Times, 12 Jan 2021: CEC deputy chair K. Petrov, results of 10 January 2021"
    ),
    gettext_noop("Nur Otan"),
    gettext_noop("Ak Zhol"),
    gettext_noop("Communist People's Party of Kazakhstan"),
    gettext_noop("Auyl"),
    gettext_noop("Nationwide Social Democratic Party"),
    gettext_noop("Birlik"),
    gettext_noop("People's Party of Kazakhstan"),
    gettext_noop("Adal"),
    # kenes/jurisdictions/congress-kz.toml: what is confirmed of each rule of a congress kind
    gettext_noop(
        "OFFICIAL: an initiative group of at least 700 citizens (2022 reform); whether all must attend is UNCONFIRMED"
    ),
    gettext_noop(
        "OFFICIAL: personal attendance at the founding congress, no proxies (Law 'On Political Parties' Art. 6, 2022 wording, per MoJ statements)"
    ),
    gettext_noop(
        "OFFICIAL: the initiative group must represent 2/3 of the regions, cities of republican significance and the capital (Art. 6, 2022 wording)"
    ),
    gettext_noop("UNCONFIRMED (adult citizens)"),
    gettext_noop("UNCONFIRMED (more than half of the founders registered for the congress)"),
    gettext_noop("UNCONFIRMED (no regions part unless the charter asks for one)"),
    gettext_noop("UNCONFIRMED (the charter decides)"),
    gettext_noop(
        "UNCONFIRMED (the charter decides; more than half of the elected delegates is usual)"
    ),
    gettext_noop("UNCONFIRMED (the charter decides; one mandate per holder as a cautious default)"),
    gettext_noop("UNCONFIRMED"),
)
