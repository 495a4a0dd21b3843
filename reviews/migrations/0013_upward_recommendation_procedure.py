"""Upward recommendations become a procedure of their own (第三条（四））: the county's 初审推荐, the
city's 推荐上报 or 不予推荐, the outcome, each step in an append-only log with its documents.

The rows recorded before (the city recorded a recommendation and its outcome directly) are kept as
they were: they become recommendations the city recommended on (their date, note and recorder), with
their outcome if one was recorded, and each gets the log entries of the steps it went through."""

import bases.models
import bases.storage
import django.db.models.deletion
import django.utils.timezone
import reviews.models
from django.conf import settings
from django.db import migrations, models




LEGACY = "本平台启用县局初审推荐前由市局直接登记"


def legacy_rows_as_steps(apps, schema_editor):
    Recommendation = apps.get_model("reviews", "UpwardRecommendation")
    Log = apps.get_model("reviews", "UpwardRecommendationLog")
    Recommendation.objects.filter(status="pending").update(status="city_recommended")
    for item in Recommendation.objects.order_by("pk"):
        if Log.objects.filter(recommendation=item).exists():
            continue
        reason = f"{item.city_opinion}（{LEGACY}）" if item.city_opinion else LEGACY
        Log.objects.create(
            recommendation=item,
            from_status="",
            to_status="city_recommended",
            step_on=item.city_on,
            actor_id=item.opened_by_id,
            reason=reason,
            created_at=item.created_at,
        )
        if item.status in ("recognised", "not_recognised"):
            Log.objects.create(
                recommendation=item,
                from_status="city_recommended",
                to_status=item.status,
                step_on=item.outcome_on or item.city_on,
                actor_id=item.opened_by_id,
                reason=f"评审结果（{LEGACY}）",
                created_at=item.created_at,
            )


def steps_as_legacy_rows(apps, schema_editor):
    Recommendation = apps.get_model("reviews", "UpwardRecommendation")
    Recommendation.objects.filter(status="city_recommended").update(status="pending")


class Migration(migrations.Migration):

    dependencies = [
        ('bases', '0016_attachment_signed_form'),
        ('reviews', '0012_yearly_reports_and_support'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="upwardrecommendation",
            name="one_pending_upward_recommendation_per_base_and_level",
        ),
        migrations.RenameField(model_name="upwardrecommendation", old_name="recorded_by", new_name="opened_by"),
        migrations.RenameField(model_name="upwardrecommendation", old_name="recommended_on", new_name="city_on"),
        migrations.RenameField(model_name="upwardrecommendation", old_name="note", new_name="city_opinion"),
        migrations.RenameField(model_name="upwardrecommendation", old_name="outcome", new_name="status"),
        migrations.CreateModel(
            name='UpwardDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(max_length=200, storage=bases.storage.private_storage, upload_to=reviews.models.upward_document_path, verbose_name='文件')),
                ('original_name', models.CharField(max_length=200, verbose_name='原文件名')),
                ('kind', models.CharField(choices=[('pdf', 'PDF'), ('jpeg', 'JPEG 图片'), ('png', 'PNG 图片'), ('docx', 'Word 文档'), ('xlsx', 'Excel 工作簿')], max_length=10, verbose_name='文件类型')),
                ('size', models.PositiveBigIntegerField(verbose_name='大小（字节）')),
                ('sha256', models.CharField(max_length=64, verbose_name='SHA-256')),
                ('uploaded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='上传时间')),
            ],
            options={
                'verbose_name': '向上推荐材料',
                'verbose_name_plural': '向上推荐材料',
                'ordering': ['uploaded_at', 'pk'],
            },
            bases=(bases.models.AppendOnly, models.Model),
        ),
        migrations.CreateModel(
            name='UpwardRecommendationLog',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('from_status', models.CharField(blank=True, choices=[('county_recommended', '县局已初审推荐，待市局审核'), ('city_declined', '市局不予推荐'), ('city_recommended', '市局已推荐上报，待评审结果'), ('recognised', '已获评'), ('not_recognised', '未获评')], max_length=20, verbose_name='原阶段')),
                ('to_status', models.CharField(choices=[('county_recommended', '县局已初审推荐，待市局审核'), ('city_declined', '市局不予推荐'), ('city_recommended', '市局已推荐上报，待评审结果'), ('recognised', '已获评'), ('not_recognised', '未获评')], max_length=20, verbose_name='新阶段')),
                ('step_on', models.DateField(verbose_name='办理日期')),
                ('reason', models.TextField(blank=True, max_length=4000, verbose_name='意见/理由')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='记录时间')),
            ],
            options={
                'verbose_name': '向上推荐办理记录',
                'verbose_name_plural': '向上推荐办理记录',
                'ordering': ['created_at', 'pk'],
            },
            bases=(bases.models.AppendOnly, models.Model),
        ),
        migrations.AlterModelOptions(
            name='upwardrecommendation',
            options={'ordering': ['-created_at', '-pk'], 'verbose_name': '向上推荐', 'verbose_name_plural': '向上推荐'},
        ),
        migrations.AddField(
            model_name='upwardrecommendation',
            name='county_on',
            field=models.DateField(blank=True, null=True, verbose_name='县局初审推荐日期'),
        ),
        migrations.AddField(
            model_name='upwardrecommendation',
            name='county_opinion',
            field=models.TextField(blank=True, max_length=4000, verbose_name='县局初审意见'),
        ),
        migrations.AddField(
            model_name='upwardrecommendation',
            name='outcome_document',
            field=models.CharField(blank=True, max_length=50, verbose_name='获评文号'),
        ),
        migrations.AddField(
            model_name='upwardrecommendation',
            name='outcome_note',
            field=models.TextField(blank=True, max_length=2000, verbose_name='结果说明'),
        ),
        migrations.AddField(
            model_name='upwardrecommendation',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='版本'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='kind',
            field=models.CharField(choices=[('transition', '办理进度'), ('deadline', '截止提醒'), ('waiting', '待办提醒'), ('publicity', '公示'), ('receipt', '回执'), ('objection', '异议'), ('revocation', '撤销程序'), ('yearly_report', '年度报告'), ('upward', '向上推荐')], max_length=20, verbose_name='类型'),
        ),
        migrations.AlterField(
            model_name='upwardrecommendation',
            name='city_on',
            field=models.DateField(blank=True, null=True, verbose_name='市局办理日期'),
        ),
        migrations.AlterField(
            model_name='upwardrecommendation',
            name='city_opinion',
            field=models.TextField(blank=True, max_length=4000, verbose_name='市局意见（推荐意见或不予推荐理由）'),
        ),
        migrations.AlterField(
            model_name='upwardrecommendation',
            name='opened_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发起人'),
        ),
        migrations.AlterField(
            model_name='upwardrecommendation',
            name='outcome_on',
            field=models.DateField(blank=True, null=True, verbose_name='评审结果日期'),
        ),
        migrations.AlterField(
            model_name='upwardrecommendation',
            name='status',
            field=models.CharField(choices=[('county_recommended', '县局已初审推荐，待市局审核'), ('city_declined', '市局不予推荐'), ('city_recommended', '市局已推荐上报，待评审结果'), ('recognised', '已获评'), ('not_recognised', '未获评')], default='county_recommended', max_length=20, verbose_name='办理阶段'),
        ),
        migrations.AddConstraint(
            model_name='upwardrecommendation',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ('county_recommended', 'city_recommended'))), fields=('base', 'level'), name='one_open_upward_recommendation_per_base_and_level', violation_error_message='该基地已有一项同级别的向上推荐正在办理。'),
        ),
        migrations.AddField(
            model_name='upwarddocument',
            name='recommendation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='reviews.upwardrecommendation', verbose_name='向上推荐'),
        ),
        migrations.AddField(
            model_name='upwarddocument',
            name='uploaded_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='上传人'),
        ),
        migrations.AddField(
            model_name='upwardrecommendationlog',
            name='actor',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人'),
        ),
        migrations.AddField(
            model_name='upwardrecommendationlog',
            name='recommendation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='log', to='reviews.upwardrecommendation', verbose_name='向上推荐'),
        ),
        migrations.AddField(
            model_name='upwarddocument',
            name='entry',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='reviews.upwardrecommendationlog', verbose_name='办理步骤'),
        ),
        # Pending rows (at most one per base and level under the old constraint) become city_recommended.
        migrations.RunPython(legacy_rows_as_steps, steps_as_legacy_rows),
    ]
