"""Framework resource ids (``android.R.attr``) of the manifest attributes Clonespace reads or edits.

An attribute in compiled XML is identified by the id the resource map gives its name, not by
the name string, so these are what lookups and inserted attributes use.
"""

from __future__ import annotations

LABEL = 0x01010001
NAME = 0x01010003
MANAGE_SPACE_ACTIVITY = 0x01010004
PERMISSION = 0x01010006
READ_PERMISSION = 0x01010007
WRITE_PERMISSION = 0x01010008
PERMISSION_GROUP = 0x0101000A
SHARED_USER_ID = 0x0101000B
HAS_CODE = 0x0101000C
ENABLED = 0x0101000E
EXPORTED = 0x01010010
PROCESS = 0x01010011
TASK_AFFINITY = 0x01010012
AUTHORITIES = 0x01010018
TARGET_PACKAGE = 0x01010021
SEARCH_SUGGEST_AUTHORITY = 0x010101D6
CONTENT_AUTHORITY = 0x01010290
VALUE = 0x01010024
TARGET_ACTIVITY = 0x01010202
MIN_SDK_VERSION = 0x0101020C
VERSION_CODE = 0x0101021B
VERSION_NAME = 0x0101021C
TARGET_SDK_VERSION = 0x01010270
BACKUP_AGENT = 0x0101027F
PARENT_ACTIVITY_NAME = 0x010103A7
EXTRACT_NATIVE_LIBS = 0x010104EA
APP_COMPONENT_FACTORY = 0x0101057A
ZYGOTE_PRELOAD_NAME = 0x0101059D

# The attribute name each id is spelled with in XML (needed when inserting one).
NAMES: dict[int, str] = {
    LABEL: "label",
    NAME: "name",
    MANAGE_SPACE_ACTIVITY: "manageSpaceActivity",
    PERMISSION: "permission",
    READ_PERMISSION: "readPermission",
    WRITE_PERMISSION: "writePermission",
    PERMISSION_GROUP: "permissionGroup",
    SHARED_USER_ID: "sharedUserId",
    HAS_CODE: "hasCode",
    ENABLED: "enabled",
    EXPORTED: "exported",
    PROCESS: "process",
    TASK_AFFINITY: "taskAffinity",
    AUTHORITIES: "authorities",
    TARGET_PACKAGE: "targetPackage",
    SEARCH_SUGGEST_AUTHORITY: "searchSuggestAuthority",
    CONTENT_AUTHORITY: "contentAuthority",
    VALUE: "value",
    TARGET_ACTIVITY: "targetActivity",
    MIN_SDK_VERSION: "minSdkVersion",
    VERSION_CODE: "versionCode",
    VERSION_NAME: "versionName",
    TARGET_SDK_VERSION: "targetSdkVersion",
    BACKUP_AGENT: "backupAgent",
    PARENT_ACTIVITY_NAME: "parentActivityName",
    EXTRACT_NATIVE_LIBS: "extractNativeLibs",
    APP_COMPONENT_FACTORY: "appComponentFactory",
    ZYGOTE_PRELOAD_NAME: "zygotePreloadName",
}
