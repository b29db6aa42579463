"""The outbox's own messages and deliveries (alerts' deliveries move here in alerts 0005)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0003_email_events'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('purpose', models.CharField(default='', max_length=20, verbose_name='objet')),
                ('sender_name', models.CharField(blank=True, default='', max_length=16, verbose_name='expéditeur des SMS')),
                ('text', models.TextField(verbose_name='texte pour les voisins')),
                ('restricted_text', models.TextField(blank=True, help_text="Avec les éléments d'identification ; vide : le même texte.", verbose_name='texte pour la mairie et la police')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('fanned_out_at', models.DateTimeField(blank=True, null=True)),
                ('not_before', models.DateTimeField(blank=True, help_text='Heures calmes : SMS et notifications pas avant.', null=True)),
                ('expires_at', models.DateTimeField(blank=True, null=True)),
                ('ended_at', models.DateTimeField(blank=True, null=True)),
                ('withdrawn_at', models.DateTimeField(blank=True, null=True)),
                ('held', models.BooleanField(default=False)),
            ],
            options={
                'verbose_name': 'message à envoyer',
                'verbose_name_plural': 'messages à envoyer',
                'indexes': [models.Index(condition=models.Q(('fanned_out_at__isnull', True)), fields=['created_at'], name='outbox_unfanned_idx')],
            },
        ),
        migrations.CreateModel(
            name='Delivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(choices=[('sms', 'SMS'), ('email', 'E-mail'), ('push', 'Notification')], max_length=5)),
                ('restricted', models.BooleanField(default=False, help_text="Reçoit les éléments d'identification (mairie, police).")),
                ('status', models.CharField(choices=[('queued', 'En attente'), ('sending', 'En cours'), ('sent', 'Envoyé'), ('delivered', 'Distribué'), ('failed', 'Échec')], default='queued', max_length=10)),
                ('claim', models.UUIDField(blank=True, editable=False, null=True)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('provider_message_id', models.CharField(blank=True, max_length=64, null=True)),
                ('error_code', models.CharField(blank=True, max_length=32)),
                ('permanent_failure', models.BooleanField(default=False)),
                ('created_at', models.DateTimeField()),
                ('updated_at', models.DateTimeField()),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('segments', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('encoding', models.CharField(blank=True, default='', max_length=5)),
                ('price_per_segment', models.DecimalField(blank=True, decimal_places=4, max_digits=8, null=True)),
                ('user', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to=settings.AUTH_USER_MODEL)),
                ('message', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='notifications.outboxmessage')),
            ],
            options={
                'verbose_name': 'envoi',
                'verbose_name_plural': 'envois',
                'indexes': [models.Index(fields=['message', 'channel', 'status'], name='outbox_delivery_progress_idx'), models.Index(condition=models.Q(('status__in', ['queued', 'sending'])), fields=['updated_at'], name='outbox_delivery_unsettled_idx')],
                'constraints': [models.UniqueConstraint(fields=('message', 'user', 'channel'), name='outbox_delivery_per_channel'), models.UniqueConstraint(condition=models.Q(('provider_message_id__isnull', False)), fields=('provider_message_id',), name='outbox_delivery_per_provider_message')],
            },
        ),
    ]
