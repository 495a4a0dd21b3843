"""Fuzzing every form: for each route of the URL configuration that takes a POST (found from the
permission matrix, so a new view is fuzzed as soon as it has its row there), and for each declared
workflow action, Hypothesis posts generated submissions as the user the form is for, built from the
fields the page renders: each kept, dropped, set to another of its options or another object's id,
or set to a hostile value (control characters, NUL, line breaks, unicode, very long text, absurd
dates and numbers), plus extra fields and random uploads.

Whatever is posted: no server error, and a post that is refused (anything but a redirect, except the
application form's "saved as a draft, gaps marked") leaves every row of every table as it was. Each
example runs in a savepoint that is rolled back, so every example starts from the same world.
"""

import copy
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from bases.choices import OrganisationStatus, State
from bases.models import Application
from bases.services import county_rules_copy
from scripts.fuzz import EXTRA_NAMES, HOSTILE, RECORDS_OF_REFUSALS, Form, parse_page
from tests.factories import (
    ApplicationFactory,
    OrganisationFactory,
    UserFactory,
    add_signed_form,
    applicant_of,
    county,
    pdf_bytes,
)
from tests.test_permission_matrix import MATRIX, ROLES, build_world, routes, target

pytestmark = pytest.mark.django_db

EXAMPLES = 20
REACHES_THE_FORM = {"200", "302", "400"}  # in the matrix: the role gets past the permission checks
# Of the roles that reach a form, the one it is made for comes first: the matrix's objects are in
# 越城区 and at city level, so the city reviewer before 越城区's clerk. The first whose page shows the
# form with fields posts (the applicant of the draft already has its application: no new one).
PREFERENCE = ("applicant", "city", "county", "admin", "outsider", "other_county", "anonymous")

# Routes whose object in the matrix cannot take the post (an organisation already confirmed): the
# fuzzing posts to one that can, as the user who may.
ELSEWHERE = {
    "bases:organisation-detail": ("pending", "county"),
    # A county's rules: made and edited by its administrator only (None: the matrix's URL for the route).
    "bases:county-rules-detail": (None, "county_admin"),
    "bases:county-rules-edit": (None, "county_admin"),
}


def transitions():
    return sorted({t.name for t in Application._meta.get_field("state").get_all_transitions(Application)})


def cases():
    """(route, action or "", roles) for every route that takes a POST; the transition route per action
    (its user found at run time from the declared permission)."""
    found = []
    for name in routes():
        post_row = MATRIX[name][1].split()
        if set(post_row) <= {"405", "L"}:  # GET only (anonymous users are sent to sign in first)
            continue
        if name == "reviews:application-transition":
            found += [(name, action, "") for action in transitions()]
            continue
        roles = (
            (ELSEWHERE[name][1],)
            if name in ELSEWHERE
            else tuple(r for r in PREFERENCE if post_row[ROLES.index(r)] in REACHES_THE_FORM)
        )
        found.append((name, "", roles))
    return found


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The matrix's world (with a city-level application awaiting its county: recommend, decline), plus
    what the actions and forms it lacks need: a county-level one awaiting its county with its signed
    form back (start_acceptance), one accepted (open_publicity), one awaiting approval (approve,
    send_back) and an organisation awaiting
    confirmation. Built once for the module, in a transaction rolled back at its end (each
    test runs in a savepoint inside it); so the fast hasher and the scratch storage of conftest's
    per-test fixtures are set here for the module."""
    storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    storage["OPTIONS"] = {"location": str(tmp_path_factory.mktemp("private"))}
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            DPV_DEFAULT_HISTORY_HASHER="tests.helpers.FastHistoryHasher",
            STORAGES={**django_settings.STORAGES, "default": storage},
        ),
        transaction.atomic(),
    ):
        world = build_world()
        yc = county("越城区")
        world.objects["submitted_county_level"] = ApplicationFactory(
            complete=True, level="county", organisation=OrganisationFactory(county=yc), advanced_to=State.SUBMITTED
        )
        add_signed_form(world.objects["submitted_county_level"])
        world.objects["accepted"] = ApplicationFactory(
            complete=True,
            organisation=OrganisationFactory(county=yc),
            advanced_to=State.ACCEPTED,
            advance_with={"city_user": world.users["city"]},
        )
        world.objects["pending_approval"] = ApplicationFactory(  # 报批: approve, send_back (the city's leader)
            complete=True,
            organisation=OrganisationFactory(county=yc),
            advanced_to=State.PENDING_APPROVAL,
            advance_with={"city_user": world.users["city"]},
        )
        pending = OrganisationFactory(county=yc, status=OrganisationStatus.PENDING)
        UserFactory(role="applicant", organisation=pending)
        world.objects["pending"] = pending
        # 越城区's county rules administrator, with the rules of the draft's batch made: the edit form posts.
        admin = UserFactory(role="county", county=yc)
        admin.user_permissions.add(Permission.objects.get(codename="manage_county_rules"))
        admin = type(admin).objects.get(pk=admin.pk)
        county_rules_copy(county=yc, batch=world.objects["draft"].batch, user=admin)
        world.users["county_admin"] = admin
        yield world
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def no_throttles(settings):
    """The fuzzing posts far more often than a person could."""
    settings.RATELIMIT_ENABLE = False


def resolve(case, w) -> list:
    """(URL to post to, user who may) in order of preference (user None: anonymous)."""
    name, action, roles = case
    if action:
        for application in (o for o in w.objects.values() if isinstance(o, Application)):
            for transition in application.get_all_state_transitions():
                if transition.name != action or transition.source != application.state:
                    continue
                for user in (applicant_of(application), *w.users.values()):
                    if transition.has_perm(application, user):
                        return [(reverse(name, kwargs={"pk": application.pk, "action": action}), user)]
        pytest.fail(f"no application of the world can take “{action}”: add one to fuzz_world")
    if name in ELSEWHERE:
        key = ELSEWHERE[name][0]
        url = target(name, w)[0] if key is None else reverse(name, kwargs={"pk": w.objects[key].pk})
        return [(url, w.users[role]) for role in roles]
    url, application = target(name, w)
    users = {"anonymous": None, "applicant": applicant_of(application), **w.users}
    return [(url, users[role]) for role in roles]


def the_form(client, url) -> Form:
    """The form that posts to `url`, as rendered: on the GET page, or on the page an empty post
    answers with (the small forms of a larger page), or the one it redirects to."""
    pages = []
    with transaction.atomic():
        cookies = copy.deepcopy(client.cookies)
        response = client.get(url)
        if response.status_code == 200 and not response.streaming:
            pages.append((url, response.content.decode()))
        response = client.post(url, {})
        if response.status_code == 302:
            location = response["Location"]
            pages.append((location, client.get(location).content.decode()))
        else:
            pages.append((url, response.content.decode()))
        client.cookies = cookies
        transaction.set_rollback(True)
    for page_url, html in pages:
        for form in parse_page(html).forms:
            if (urlsplit(form.action).path or urlsplit(page_url).path) == url:
                return form
    return Form(action=url)


def snapshot():
    """Every row of every table; of the sessions (saved at most once a minute, 30-minute idle timeout) only
    their number; the records of refusals (a failed sign-in is a security event) and the cache not at
    all."""
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table in RECORDS_OF_REFUSALS:
                continue
            quoted = connection.ops.quote_name(table)
            if table == "django_session":
                cursor.execute(f"SELECT COUNT(*) FROM {quoted}")
            else:
                cursor.execute(f"SELECT * FROM {quoted} ORDER BY 1")
            tables[table] = cursor.fetchall()
    return tables


def changed(before, after) -> list[str]:
    return sorted(table for table in before if before[table] != after.get(table))


hostile = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),  # any code point but surrogates: control characters, NUL, astral planes
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=5),
    st.integers().map(str),
    st.floats().map(str),
    st.dates().map(str),
    st.integers(min_value=1000, max_value=30000).map(lambda n: "长" * n),
)
files = st.tuples(
    st.text(max_size=20).map(lambda s: s.replace("\x00", "")) | st.sampled_from(["证明.pdf", "a.exe", ".pdf"]),
    st.binary(max_size=200) | st.just(pdf_bytes()),
)
MOVES = ("keep", "drop", "option", "id", "hostile")


def submission(draw, form: Form, ids: list[str]) -> dict:
    data = form.rendered()
    for name, f in form.fields.items():
        if f.kind == "file":
            chosen = draw(st.lists(files, max_size=2))
            if chosen:
                data[name] = [SimpleUploadedFile(n or "x", content) for n, content in chosen]
            continue
        move = draw(st.sampled_from(MOVES))
        if move == "drop":
            data.pop(name, None)
        elif move == "option" and f.options:
            data[name] = [draw(st.sampled_from(f.options))]
        elif move == "id":
            data[name] = [draw(st.sampled_from(ids))]
        elif move == "hostile":
            data[name] = draw(st.lists(hostile, min_size=1, max_size=2))
    for name, value in draw(
        st.lists(st.tuples(st.sampled_from(EXTRA_NAMES), hostile | st.sampled_from(ids)), max_size=2)
    ):
        data[name] = [value]
    return data


def refused(response) -> bool:
    """Anything but a redirect refuses the post, unless the page says something was done: the
    application form saved as a draft with its gaps marked, or some of several files uploaded and
    the others refused (a 400 with a success message)."""
    if response.status_code in (301, 302, 303):
        return False
    if response.context and response.context.get("saved"):
        return False
    return not any(m.level == messages.SUCCESS for m in get_messages(response.wsgi_request))


@pytest.mark.parametrize("case", cases(), ids=lambda c: f"{c[0]}{'/' + c[1] if c[1] else ''}")
def test_generated_posts_give_no_server_error_and_a_refused_post_stores_nothing(fuzz_world, case):
    for url, user in resolve(case, fuzz_world):
        client = Client()
        if user is not None:
            client.force_login(user)
        form = the_form(client, url)
        if form.fields:
            break
    ids = sorted({str(o.pk) for o in fuzz_world.objects.values()} | {"0", "999999999"})

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None)
    @given(st.data())
    def post(data):
        cookies = copy.deepcopy(client.cookies)
        with transaction.atomic():
            before = snapshot()
            posted = submission(data.draw, form, ids)
            response = client.post(url, posted)
            assert response.status_code < 500, f"POST {url}: {response.status_code}"
            if refused(response):
                assert changed(before, snapshot()) == [], f"POST {url} answered {response.status_code} but wrote"
            transaction.set_rollback(True)
        client.cookies = cookies

    post()
