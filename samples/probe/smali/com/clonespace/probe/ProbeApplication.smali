.class public Lcom/clonespace/probe/ProbeApplication;
.super Landroid/app/Application;
.source "ProbeApplication.smali"

# The first of the app's code to run: reports as soon as it has a context, and again
# when the framework has set the process up (content providers are created in between).

.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Landroid/app/Application;-><init>()V

    return-void
.end method

.method protected attachBaseContext(Landroid/content/Context;)V
    .registers 3

    invoke-super {p0, p1}, Landroid/app/Application;->attachBaseContext(Landroid/content/Context;)V

    const-string v0, "attachBaseContext"
    invoke-static {v0, p0}, Lcom/clonespace/probe/Probe;->report(Ljava/lang/String;Landroid/content/Context;)Ljava/lang/String;

    return-void
.end method

.method public onCreate()V
    .registers 2

    invoke-super {p0}, Landroid/app/Application;->onCreate()V

    const-string v0, "Application.onCreate"
    invoke-static {v0, p0}, Lcom/clonespace/probe/Probe;->report(Ljava/lang/String;Landroid/content/Context;)Ljava/lang/String;

    return-void
.end method
