"""The demo company, Demo Bank (示范银行), as data, and the service that seeds it.

`demo_organisation_seed()` creates or updates the regions, branches and demo
users idempotently: rows are keyed by region code, branch code and username,
and a second run creates nothing new. Passwords are set only when a user is
created, so a password changed during a demo survives a re-run.

The visits seeding (`audits.demo_visits`) takes the returned `DemoOrganisation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.roles import Role
from audits.models import Branch, Region, ShopperExclusion, ShopperProfile, User

DEMO_PASSWORD = "demo-pass-123"
DEMO_EMAIL_DOMAIN = "demo-bank.example"

HEAD_OFFICE_GROUP = "Head office"
# Head office builds and edits checklists in the Django admin.
# Head office edits drafts in the admin, removing sections and items included;
# the admin itself refuses any change to a published version.
HEAD_OFFICE_PERMISSIONS = tuple(
    f"{action}_{model}"
    for model in ("checklist", "checklistversion", "section", "item")
    for action in ("add", "change", "view", "delete")
)


@dataclass(frozen=True)
class DemoRegion:
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class DemoBranch:
    region: str
    code: str
    name_zh: str
    name_en: str
    address_zh: str
    address_en: str
    latitude: str
    longitude: str
    active: bool = True


@dataclass(frozen=True)
class DemoShopperProfile:
    phone: str
    languages: str
    home_city: str


@dataclass(frozen=True)
class DemoExclusion:
    branch: str
    reason: str


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    last_name: str
    first_name: str
    note: str = ""
    regions: tuple[str, ...] = ()
    is_staff: bool = False
    is_superuser: bool = False
    groups: tuple[str, ...] = ()
    profile: DemoShopperProfile | None = None
    exclusions: tuple[DemoExclusion, ...] = ()


COMPANY_NAME_ZH = "示范银行"
COMPANY_NAME_EN = "Demo Bank"

REGIONS = (
    DemoRegion("east", "华东区", "East"),
    DemoRegion("north", "华北区", "North"),
    DemoRegion("south", "华南区", "South"),
)

# Coordinates are fixed (no randomness) and close to the real district centres.
BRANCHES = (
    # East: Shanghai, Hangzhou, Nanjing, Suzhou
    DemoBranch(
        "east",
        "sh-jingan",
        "上海静安支行",
        "Shanghai Jing'an Sub-branch",
        "上海市静安区南京西路1188号",
        "1188 West Nanjing Road, Jing'an District, Shanghai",
        "31.229600",
        "121.455300",
    ),
    DemoBranch(
        "east",
        "sh-lujiazui",
        "上海陆家嘴支行",
        "Shanghai Lujiazui Sub-branch",
        "上海市浦东新区陆家嘴环路958号",
        "958 Lujiazui Ring Road, Pudong New Area, Shanghai",
        "31.239700",
        "121.502500",
    ),
    DemoBranch(
        "east",
        "sh-xujiahui",
        "上海徐家汇支行",
        "Shanghai Xujiahui Sub-branch",
        "上海市徐汇区漕溪北路398号",
        "398 North Caoxi Road, Xuhui District, Shanghai",
        "31.192500",
        "121.436500",
    ),
    DemoBranch(
        "east",
        "hz-wulin",
        "杭州武林支行",
        "Hangzhou Wulin Sub-branch",
        "浙江省杭州市拱墅区延安路528号",
        "528 Yan'an Road, Gongshu District, Hangzhou, Zhejiang",
        "30.274100",
        "120.161900",
    ),
    DemoBranch(
        "east",
        "hz-qianjiang",
        "杭州钱江新城支行",
        "Hangzhou Qianjiang New Town Sub-branch",
        "浙江省杭州市上城区富春路290号",
        "290 Fuchun Road, Shangcheng District, Hangzhou, Zhejiang",
        "30.246000",
        "120.210800",
    ),
    DemoBranch(
        "east",
        "nj-xinjiekou",
        "南京新街口支行",
        "Nanjing Xinjiekou Sub-branch",
        "江苏省南京市玄武区中山路18号",
        "18 Zhongshan Road, Xuanwu District, Nanjing, Jiangsu",
        "32.043100",
        "118.784400",
    ),
    DemoBranch(
        "east",
        "nj-hexi",
        "南京河西支行",
        "Nanjing Hexi Sub-branch",
        "江苏省南京市建邺区江东中路222号",
        "222 Middle Jiangdong Road, Jianye District, Nanjing, Jiangsu",
        "32.004500",
        "118.733700",
    ),
    DemoBranch(
        "east",
        "su-sip",
        "苏州工业园区支行",
        "Suzhou Industrial Park Sub-branch",
        "江苏省苏州市苏州工业园区星海街200号",
        "200 Xinghai Street, Suzhou Industrial Park, Suzhou, Jiangsu",
        "31.315000",
        "120.670000",
    ),
    # North: Beijing, Tianjin, Shijiazhuang
    DemoBranch(
        "north",
        "bj-xidan",
        "北京西单支行",
        "Beijing Xidan Sub-branch",
        "北京市西城区西单北大街120号",
        "120 Xidan North Street, Xicheng District, Beijing",
        "39.910000",
        "116.374000",
    ),
    DemoBranch(
        "north",
        "bj-guomao",
        "北京国贸支行",
        "Beijing Guomao Sub-branch",
        "北京市朝阳区建国门外大街22号",
        "22 Jianguomenwai Avenue, Chaoyang District, Beijing",
        "39.908700",
        "116.459000",
    ),
    DemoBranch(
        "north",
        "bj-zhongguancun",
        "北京中关村支行",
        "Beijing Zhongguancun Sub-branch",
        "北京市海淀区中关村大街27号",
        "27 Zhongguancun Street, Haidian District, Beijing",
        "39.983000",
        "116.316000",
    ),
    DemoBranch(
        "north",
        "bj-wangjing",
        "北京望京支行",
        "Beijing Wangjing Sub-branch",
        "北京市朝阳区阜通东大街6号",
        "6 Futong East Street, Chaoyang District, Beijing",
        "39.996000",
        "116.470000",
    ),
    DemoBranch(
        "north",
        "tj-heping",
        "天津和平支行",
        "Tianjin Heping Sub-branch",
        "天津市和平区南京路189号",
        "189 Nanjing Road, Heping District, Tianjin",
        "39.120000",
        "117.200000",
    ),
    DemoBranch(
        "north",
        "tj-hexi",
        "天津河西支行",
        "Tianjin Hexi Sub-branch",
        "天津市河西区友谊路35号",
        "35 Youyi Road, Hexi District, Tianjin",
        "39.095000",
        "117.215000",
    ),
    DemoBranch(
        "north",
        "sjz-changan",
        "石家庄长安支行",
        "Shijiazhuang Chang'an Sub-branch",
        "河北省石家庄市长安区中山东路188号",
        "188 East Zhongshan Road, Chang'an District, Shijiazhuang, Hebei",
        "38.045000",
        "114.530000",
    ),
    DemoBranch(
        "north",
        "sjz-yuhua",
        "石家庄裕华支行",
        "Shijiazhuang Yuhua Sub-branch",
        "河北省石家庄市裕华区槐安东路136号",
        "136 East Huai'an Road, Yuhua District, Shijiazhuang, Hebei",
        "38.018000",
        "114.533000",
        active=False,  # closed for refurbishment: the demo's one inactive branch
    ),
    # South: Guangzhou, Shenzhen, Xiamen
    DemoBranch(
        "south",
        "gz-tianhe",
        "广州天河支行",
        "Guangzhou Tianhe Sub-branch",
        "广东省广州市天河区天河路208号",
        "208 Tianhe Road, Tianhe District, Guangzhou, Guangdong",
        "23.133000",
        "113.323000",
    ),
    DemoBranch(
        "south",
        "gz-zhujiang",
        "广州珠江新城支行",
        "Guangzhou Zhujiang New Town Sub-branch",
        "广东省广州市天河区花城大道85号",
        "85 Huacheng Avenue, Tianhe District, Guangzhou, Guangdong",
        "23.120000",
        "113.325000",
    ),
    DemoBranch(
        "south",
        "gz-yuexiu",
        "广州越秀支行",
        "Guangzhou Yuexiu Sub-branch",
        "广东省广州市越秀区中山五路219号",
        "219 Zhongshan 5th Road, Yuexiu District, Guangzhou, Guangdong",
        "23.127000",
        "113.270000",
    ),
    DemoBranch(
        "south",
        "sz-futian",
        "深圳福田支行",
        "Shenzhen Futian Sub-branch",
        "广东省深圳市福田区深南大道6008号",
        "6008 Shennan Avenue, Futian District, Shenzhen, Guangdong",
        "22.540000",
        "114.040000",
    ),
    DemoBranch(
        "south",
        "sz-nanshan",
        "深圳南山支行",
        "Shenzhen Nanshan Sub-branch",
        "广东省深圳市南山区南海大道2748号",
        "2748 Nanhai Avenue, Nanshan District, Shenzhen, Guangdong",
        "22.520000",
        "113.930000",
    ),
    DemoBranch(
        "south",
        "sz-luohu",
        "深圳罗湖支行",
        "Shenzhen Luohu Sub-branch",
        "广东省深圳市罗湖区人民南路3002号",
        "3002 South Renmin Road, Luohu District, Shenzhen, Guangdong",
        "22.540000",
        "114.118000",
    ),
    DemoBranch(
        "south",
        "xm-siming",
        "厦门思明支行",
        "Xiamen Siming Sub-branch",
        "福建省厦门市思明区中山路158号",
        "158 Zhongshan Road, Siming District, Xiamen, Fujian",
        "24.456000",
        "118.083000",
    ),
    DemoBranch(
        "south",
        "xm-huli",
        "厦门湖里支行",
        "Xiamen Huli Sub-branch",
        "福建省厦门市湖里区湖里大道45号",
        "45 Huli Avenue, Huli District, Xiamen, Fujian",
        "24.510000",
        "118.100000",
    ),
)

USERS = (
    DemoUser(
        "admin",
        Role.ADMIN,
        "王",
        "刚",
        note="Django admin, everything",
        is_staff=True,
        is_superuser=True,
    ),
    DemoUser(
        "hq",
        Role.HEAD_OFFICE,
        "刘",
        "洋",
        note="head office; edits checklists in /admin/",
        is_staff=True,
        groups=(HEAD_OFFICE_GROUP,),
    ),
    DemoUser("reviewer", Role.REVIEWER, "赵", "敏", note="reviews submitted visits"),
    DemoUser(
        "rm-east", Role.REGIONAL_MANAGER, "孙", "磊", note="East region only", regions=("east",)
    ),
    DemoUser(
        "rm-north", Role.REGIONAL_MANAGER, "吴", "强", note="North region only", regions=("north",)
    ),
    DemoUser(
        "shopper1",
        Role.SHOPPER,
        "李",
        "娜",
        note="Shanghai; excluded from sh-lujiazui",
        profile=DemoShopperProfile("+86 139 1000 0001", "zh-Hans, en", "Shanghai"),
        exclusions=(DemoExclusion("sh-lujiazui", "Her sister works at this branch."),),
    ),
    DemoUser(
        "shopper2",
        Role.SHOPPER,
        "张",
        "伟",
        note="Beijing",
        profile=DemoShopperProfile("+86 139 1000 0002", "zh-Hans", "Beijing"),
    ),
    DemoUser(
        "shopper3",
        Role.SHOPPER,
        "陈",
        "静",
        note="Guangzhou",
        profile=DemoShopperProfile("+86 139 1000 0003", "zh-Hans, en", "Guangzhou"),
    ),
)


@dataclass(frozen=True)
class DemoWork:
    """An open assignment the demo leaves for a shopper's phone."""

    shopper: str
    branch: str
    checklist: str
    scenario: str


# One branch visit and one longer checklist per shopper, in their own city.
OPEN_WORK = (
    DemoWork(
        "shopper1",
        "sh-xujiahui",
        "standard-branch-visit",
        "咨询开立储蓄账户 · Ask about opening a savings account",
    ),
    DemoWork(
        "shopper1",
        "sh-jingan",
        "key-factors-26",
        "咨询理财产品 · Ask about wealth-management products",
    ),
    DemoWork(
        "shopper2", "bj-guomao", "standard-branch-visit", "办理外币兑换 · Exchange foreign currency"
    ),
    DemoWork(
        "shopper2", "bj-wangjing", "sales-visit", "咨询个人贷款利率 · Ask about personal loan rates"
    ),
    DemoWork(
        "shopper3",
        "gz-tianhe",
        "standard-branch-visit",
        "投诉转账延迟 · Complain about a delayed transfer",
    ),
    DemoWork(
        "shopper3",
        "gz-zhujiang",
        "complaint-handling",
        "投诉转账延迟 · Complain about a delayed transfer",
    ),
)


@dataclass(frozen=True)
class DemoOrganisation:
    """What the organisation seeding created, for the visits seeding to build on."""

    regions: Mapping[str, Region]  # by region code, in REGIONS order
    branches: Mapping[str, Branch]  # by branch code, in BRANCHES order
    shoppers: tuple[User, ...]  # shopper1, shopper2, shopper3
    users: Mapping[str, User]  # every demo user, by username

    @property
    def active_branches(self) -> tuple[Branch, ...]:
        return tuple(branch for branch in self.branches.values() if branch.active)

    def branches_of(self, region_code: str) -> tuple[Branch, ...]:
        return tuple(
            branch for branch in self.branches.values() if branch.region.code == region_code
        )


@transaction.atomic
def demo_organisation_seed() -> DemoOrganisation:
    """Create or update Demo Bank's regions, branches, groups and users. Safe to run again."""
    regions = {
        spec.code: Region.objects.update_or_create(
            code=spec.code, defaults={"name_zh": spec.name_zh, "name_en": spec.name_en}
        )[0]
        for spec in REGIONS
    }
    branches = {spec.code: _branch_upsert(spec=spec, regions=regions) for spec in BRANCHES}
    groups = {HEAD_OFFICE_GROUP: _head_office_group_upsert()}
    users = {
        spec.username: _user_upsert(spec=spec, regions=regions, branches=branches, groups=groups)
        for spec in USERS
    }
    return DemoOrganisation(
        regions=regions,
        branches=branches,
        shoppers=tuple(user for user in users.values() if user.role == Role.SHOPPER),
        users=users,
    )


def _branch_upsert(*, spec: DemoBranch, regions: Mapping[str, Region]) -> Branch:
    """The spec's branch, created or brought to the spec; saved only when something differs,
    since a save is an edit (Branch.updated_at) and restamps every kept company-wide report."""
    wanted = {
        "region": regions[spec.region],
        "name_zh": spec.name_zh,
        "name_en": spec.name_en,
        "address_zh": spec.address_zh,
        "address_en": spec.address_en,
        "latitude": Decimal(spec.latitude),
        "longitude": Decimal(spec.longitude),
        "active": spec.active,
    }
    branch = Branch.objects.filter(code=spec.code).first()
    if branch is None:
        return Branch.objects.create(code=spec.code, **wanted)
    if any(getattr(branch, name) != value for name, value in wanted.items()):
        for name, value in wanted.items():
            setattr(branch, name, value)
        branch.save()
    return branch


def _head_office_group_upsert() -> Group:
    permissions = list(
        Permission.objects.filter(
            content_type__app_label="checklists", codename__in=HEAD_OFFICE_PERMISSIONS
        )
    )
    if len(permissions) != len(HEAD_OFFICE_PERMISSIONS):
        raise RuntimeError(
            "The checklists permissions are missing: run `manage.py migrate` before seeding."
        )
    group, _ = Group.objects.get_or_create(name=HEAD_OFFICE_GROUP)
    group.permissions.set(permissions)
    return group


def _user_upsert(
    *,
    spec: DemoUser,
    regions: Mapping[str, Region],
    branches: Mapping[str, Branch],
    groups: Mapping[str, Group],
) -> User:
    user, created = User.objects.update_or_create(
        username=spec.username,
        defaults={
            "role": spec.role,
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "email": f"{spec.username}@{DEMO_EMAIL_DOMAIN}",
            "is_staff": spec.is_staff,
            "is_superuser": spec.is_superuser,
            "is_active": True,
        },
    )
    if created:
        # Only on creation: a password changed during a demo survives a re-run.
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    user.regions.set([regions[code] for code in spec.regions])
    user.groups.add(*(groups[name] for name in spec.groups))
    if spec.profile is not None:
        ShopperProfile.objects.update_or_create(
            user=user,
            defaults={
                "phone": spec.profile.phone,
                "languages": spec.profile.languages,
                "home_city": spec.profile.home_city,
            },
        )
    for exclusion in spec.exclusions:
        ShopperExclusion.objects.update_or_create(
            shopper=user, branch=branches[exclusion.branch], defaults={"reason": exclusion.reason}
        )
    return user
