from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_scorecard_batch_parts"),
    ]

    operations = [
        migrations.AddField(
            model_name="scorecardbatchpart",
            name="file_name",
            field=models.CharField(blank=True, default="", max_length=200),
        ),
    ]
