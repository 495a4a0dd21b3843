from django.apps import AppConfig


class TargetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "targets"
    verbose_name = "建设任务与统计"

    def ready(self):
        from bases import cached
        from bases.signals import demo_data_seeding, reference_data_loading
        from reviews.models import GuidanceVisit, UpwardRecommendation

        from . import demo, services
        from .models import PeriodGoal, StandardEnterprise, Target

        # The bundled targets of 附件1 (2021) and the goals of 十四五 load with the other reference data,
        # and seed_demo's targets and 贯标企业 with the other demo data.
        reference_data_loading.connect(services.reference_targets_receiver, dispatch_uid="targets-reference-data")
        demo_data_seeding.connect(demo.seed, dispatch_uid="targets-demo-data")
        # The dashboard's figures are kept in the cache until what they count changes.
        cached.connect(Target, PeriodGoal, StandardEnterprise, UpwardRecommendation, GuidanceVisit)
