"""The demo gazette: every category and audience in both communes, comments and a report."""

import pytest

from gazette.models import Comment, GazetteCategory, GazettePost
from moderation.models import Report


@pytest.mark.django_db
def test_the_demo_has_posts_of_every_category_and_audience_comments_and_a_report(demo):
    posts = GazettePost.objects.filter(live=True)

    assert {p.category for p in posts} == set(GazetteCategory.values)
    for commune in demo.values():
        mine = posts.filter(commune=commune)
        assert mine.filter(communities__isnull=False).exists()
        assert mine.filter(communities__isnull=True).exists()
        assert mine.filter(photos__isnull=False).exists()
    assert Comment.objects.count() >= 3
    assert Report.objects.filter(object_id__in=posts.values("pk")).count() == 1
