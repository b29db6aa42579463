"""The demo has private conversations: between neighbours, and from each mairie."""

from demo.loader import demo_load
from messaging.models import Conversation, ConversationKind, Message, OfficialSend
from notifications.models import Channel, Delivery, OutboundSms


def test_the_demo_has_a_neighbours_conversation_and_official_messages_in_each_commune(demo):
    neighbours = Conversation.objects.get(kind=ConversationKind.NEIGHBOURS)
    assert neighbours.commune.name == "Cadaujac"
    assert neighbours.messages.count() == 2
    assert set(neighbours.participants.values_list("user__email", flat=True)) == {
        "hugo@cadaujac.demo.invalid",
        "jean-yves@cadaujac.demo.invalid",
    }
    sends = {send.commune.name: send for send in OfficialSend.objects.select_related("commune")}
    assert set(sends) == {"Cadaujac", "Didenheim"}
    # Claudette reads the mairie's message online; Joseph, SMS only, gets it by SMS.
    assert Conversation.objects.filter(
        official=sends["Didenheim"], participants__user__email="claudette@didenheim.demo.invalid"
    ).exists()
    assert Delivery.objects.filter(
        message=sends["Didenheim"].outbox_message, channel=Channel.SMS, user__phone="+33611000201"
    ).exists()
    assert sends["Cadaujac"].reach["sms"] >= 1


def test_loading_the_demo_again_adds_no_message(demo):
    def counts():
        return (
            Conversation.objects.count(),
            Message.objects.count(),
            OutboundSms.objects.count(),
            Delivery.objects.count(),
        )

    before = counts()
    demo_load()
    assert counts() == before
