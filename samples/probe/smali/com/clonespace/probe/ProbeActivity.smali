.class public Lcom/clonespace/probe/ProbeActivity;
.super Landroid/app/Activity;
.source "ProbeActivity.smali"

# The launcher activity: shows the report it makes on creation as its only view.

.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Landroid/app/Activity;-><init>()V

    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .registers 4

    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V

    const-string v0, "Activity.onCreate"
    invoke-static {v0, p0}, Lcom/clonespace/probe/Probe;->report(Ljava/lang/String;Landroid/content/Context;)Ljava/lang/String;
    move-result-object v0

    new-instance v1, Landroid/widget/TextView;
    invoke-direct {v1, p0}, Landroid/widget/TextView;-><init>(Landroid/content/Context;)V
    invoke-virtual {v1, v0}, Landroid/widget/TextView;->setText(Ljava/lang/CharSequence;)V
    invoke-virtual {p0, v1}, Landroid/app/Activity;->setContentView(Landroid/view/View;)V

    return-void
.end method
