"""Personal codes: how members take part (vote, give opinions) without an account.

One mechanism for every place members take part: the ballots app (elections,
motions) and the agenda app (consultations) both issue and resolve codes here.
"""
