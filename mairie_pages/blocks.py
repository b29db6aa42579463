"""StreamField blocks for the mairie's pages: one template per block, named after it."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Titre"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("Niveau"),
        choices=[("h2", _("Titre de section (h2)")), ("h3", _("Sous-titre (h3)"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Titre")
        template = "mairie_pages/blocks/heading_block.html"
        preview_value = {"text": "Horaires d'été", "level": "h2"}
        description = _("Un titre de section, pour structurer la page.")


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Texte alternatif"),
        required=False,
        help_text=_("Décrit l'image pour les personnes qui ne la voient pas ; vide si décorative."),
    )
    caption = blocks.CharBlock(label=_("Légende"), required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "mairie_pages/blocks/image_block.html"
        description = _("Une image avec son texte alternatif et une légende facultative.")


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(label=_("Intitulé du lien"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "mairie_pages/blocks/document_block.html"
        description = _("Un document à télécharger (arrêté, formulaire, compte rendu…).")


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre"), max_length=120)
    text = blocks.TextBlock(label=_("Texte"), required=False)
    link_page = blocks.PageChooserBlock(label=_("Page liée"), required=False)
    link_url = blocks.URLBlock(label=_("Ou adresse web"), required=False)
    button_label = blocks.CharBlock(label=_("Texte du bouton"), max_length=60)

    class Meta:
        icon = "link"
        label = _("Appel à l'action")
        template = "mairie_pages/blocks/call_to_action_block.html"
        preview_value = {
            "title": "Rejoignez vos voisins",
            "text": "L'inscription est gratuite.",
            "link_url": "https://example.org/",
            "button_label": "S'inscrire",
        }
        description = _("Un encadré qui invite à agir, avec un bouton.")

    def clean(self, value):
        result = super().clean(value)
        if not result.get("link_page") and not result.get("link_url"):
            raise blocks.StructBlockValidationError(
                block_errors={"link_url": [_("Choisissez une page ou indiquez une adresse web.")]}
            )
        return result


class ContactCardBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("Service ou personne"), max_length=120)
    role = blocks.CharBlock(label=_("Fonction"), required=False, max_length=120)
    phone = blocks.CharBlock(label=_("Téléphone"), required=False, max_length=30)
    email = blocks.EmailBlock(label=_("E-mail"), required=False)
    address = blocks.TextBlock(label=_("Adresse"), required=False)
    hours = blocks.TextBlock(label=_("Horaires"), required=False)

    class Meta:
        icon = "user"
        label = _("Fiche contact")
        template = "mairie_pages/blocks/contact_card_block.html"
        preview_value = {
            "name": "Accueil de la mairie",
            "phone": "05 56 00 00 00",
            "hours": "Du lundi au vendredi, 8h30–12h et 14h–17h",
        }
        description = _("Les coordonnées d'un service de la mairie.")


class BaseStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Texte"),
        icon="pilcrow",
        features=["bold", "italic", "link", "ol", "ul", "document-link"],
        template="mairie_pages/blocks/paragraph_block.html",
        description=_("Un ou plusieurs paragraphes de texte."),
        preview_value="<p>Le marché a lieu chaque samedi matin sur la place de la mairie.</p>",
    )
    image = ImageBlock()
    document = DocumentBlock()
    call_to_action = CallToActionBlock()
    contact_card = ContactCardBlock()
