"""Keep the grants' listing copies (Grant.fill_listing) in step with what they copy."""

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from grants.models import Grant, Organisation


@receiver(post_save, sender=Organisation)
def organisation_saved(sender, instance, created, raw=False, **kwargs):
    if created or raw:
        return
    Grant.refresh_listing(Grant.objects.filter(application__organisation=instance))


@receiver(m2m_changed, sender=Grant.beneficiary_kommuner.through)
def grant_areas_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # changed from the municipality's side: pk_set holds grant ids
        grants = Grant.objects.filter(pk__in=pk_set or ())
    else:
        grants = Grant.objects.filter(pk=instance.pk)
    Grant.refresh_listing(grants)
