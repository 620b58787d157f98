"""URLs of a congress's chair's console (views/chair.py, chair_votes.py, chair_texts.py)
and of the delegates' amendment page (badge code, no account)."""

from django.urls import path

from kenes.web.views import chair, chair_texts, chair_votes

C = "chair/<slug:slug>/"

urlpatterns = [
    # Delegates table amendments with their badge code (no login)
    path("amend/<slug:slug>/", chair_texts.amend_start, name="amend_start"),
    path("amend/<slug:slug>/<int:text_id>/", chair_texts.amend_text, name="amend_text"),
    # The chair's console: agenda and speakers
    path(C, chair.chair_home, name="chair_home"),
    path(C + "timer/", chair.timer_fragment, name="chair_timer"),
    path(C + "items/add/", chair.item_add, name="chair_item_add"),
    path(C + "items/<int:item_id>/current/", chair.item_current, name="chair_item_current"),
    path(C + "speakers/add/", chair.speaker_add, name="chair_speaker_add"),
    path(C + "speakers/next/", chair.speaker_next, name="chair_speaker_next"),
    path(C + "speakers/stop/", chair.speaker_stop, name="chair_speaker_stop"),
    path(
        C + "speakers/<int:speaker_id>/withdraw/",
        chair.speaker_withdraw,
        name="chair_speaker_withdraw",
    ),
    # Votes, codes, proxies
    path(C + "votes/", chair_votes.vote_list, name="chair_votes"),
    path(C + "votes/<int:vote_id>/", chair_votes.vote_detail, name="chair_vote"),
    path(C + "votes/<int:vote_id>/open/", chair_votes.vote_open, name="chair_vote_open"),
    path(C + "votes/<int:vote_id>/close/", chair_votes.vote_close, name="chair_vote_close"),
    path(C + "votes/<int:vote_id>/named/", chair_votes.vote_named, name="chair_vote_named"),
    path(C + "votes/<int:vote_id>/paper/", chair_votes.vote_paper, name="chair_vote_paper"),
    path(C + "codes/", chair_votes.codes_page, name="chair_codes"),
    path(C + "codes/issue/", chair_votes.codes_issue, name="chair_codes_issue"),
    path(C + "codes/reissue/", chair_votes.codes_reissue, name="chair_codes_reissue"),
    path(C + "proxies/", chair_votes.proxy_list, name="chair_proxies"),
    path(C + "proxies/<int:proxy_id>/revoke/", chair_votes.proxy_revoke, name="chair_proxy_revoke"),
    # Texts and amendments
    path(C + "texts/", chair_texts.text_list, name="chair_texts"),
    path(C + "texts/<int:text_id>/", chair_texts.text_detail, name="chair_text"),
    path(C + "texts/<int:text_id>/order/", chair_texts.text_order, name="chair_text_order"),
    path(
        C + "texts/<int:text_id>/merge-adopted/",
        chair_texts.text_merge_adopted,
        name="chair_text_merge_adopted",
    ),
    path(
        C + "texts/<int:text_id>/amendments/<int:number>/recommend/",
        chair_texts.amendment_recommend,
        name="chair_amendment_recommend",
    ),
    path(
        C + "texts/<int:text_id>/amendments/<int:number>/merge/",
        chair_texts.amendment_merge,
        name="chair_amendment_merge",
    ),
    path(
        C + "texts/<int:text_id>/amendments/<int:number>/decide/",
        chair_texts.amendment_decide,
        name="chair_amendment_decide",
    ),
    # The protocol
    path(C + "protocol/", chair.protocol_page, name="chair_protocol"),
    path(C + "protocol/sign/", chair.protocol_sign, name="chair_protocol_sign"),
    path(C + "protocol.<str:suffix>", chair.protocol_file, name="chair_protocol_file"),
]
