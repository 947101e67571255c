"""The dashboard UI in headless Chromium, against the real broker and worker.

Fills the generated predict form and sees the prediction (and a schema error; a value the browser rejects
clears the last prediction), then produces inputs to the model's topic and sees the live dashboard count
them and name them by correlation id, key or "none"; the REST docs page's "Try it out" starts from the
schema's examples. Screenshots of each page go to test-artifacts/; the README shows docs/dashboard.png,
a copy of the dashboard one.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from confluent_kafka import Producer
from playwright.async_api import Browser, Page, async_playwright, expect
from pydantic import SecretStr

from bridges.catalog import ModelCatalog
from bridges.feed import PredictionFeed
from bridges.requestreply.requester import Requester
from streamproc.settings import StreamprocSettings
from streamproc.wire.headers import CONTENT_TYPE, CONTENT_TYPE_JSON, CORRELATION_ID

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
VERSICOLOR = {"sepal_length": 5.9, "sepal_width": 3.0, "petal_length": 4.2, "petal_width": 1.5}
VIRGINICA = {"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}
WAIT_MS = 30_000
WAVES = (6, 14, 22, 12, 28, 18, 9, 16)

pytestmark = [pytest.mark.broker, pytest.mark.browser]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        await chromium.close()


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    tab = await context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(str(error)))
    yield tab
    await context.close()
    assert not problems, f"JavaScript errors in the page: {problems}"


async def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    await page.screenshot(path=str(path), full_page=True)
    return path


async def test_models_and_model_pages_show_the_catalog(page: Page, websocket_url: str) -> None:
    await page.goto(f"{websocket_url}/")
    iris_card = page.locator('[data-testid=model-card][data-model="iris_model"]')
    await expect(iris_card).to_be_visible(timeout=WAIT_MS)
    await expect(page.locator('[data-testid=model-card][data-model="diabetes_model"]')).to_be_visible()
    await expect(iris_card.get_by_test_id("model-description")).not_to_be_empty()
    await expect(page.get_by_test_id("connection-status")).to_have_text("connected", timeout=WAIT_MS)
    await screenshot(page, "websocket-ui-models.png")

    await iris_card.get_by_test_id("link-details").click()
    metadata = page.get_by_test_id("model-metadata")
    await expect(metadata).to_be_visible(timeout=WAIT_MS)
    await expect(page.get_by_test_id("model-version")).to_have_text("0.1.0")
    input_rows = page.get_by_test_id("input-schema").get_by_test_id("schema-row")
    await expect(input_rows).to_have_count(4)
    output_schema = page.get_by_test_id("output-schema")
    await expect(output_schema).to_contain_text("setosa")
    await screenshot(page, "websocket-ui-model.png")


async def test_predict_form_validates_inline_and_shows_the_prediction(page: Page, websocket_url: str) -> None:
    await page.goto(f"{websocket_url}/#/models/iris_model/predict")
    await expect(page.get_by_test_id("predict-form")).to_be_visible(timeout=WAIT_MS)
    await expect(page.get_by_test_id("connection-status")).to_have_text("connected", timeout=WAIT_MS)
    # labels come from the schema's titles
    await expect(page.get_by_label("Sepal Length")).to_be_visible()

    await page.fill("#input-sepal_length", "12")
    await expect(page.get_by_test_id("error-sepal_length")).to_have_text("Must be at most 10.")
    await page.click("#predict-submit")
    await expect(page.get_by_test_id("form-errors")).to_contain_text("Fix 4 fields")
    await expect(page.get_by_test_id("predict-result")).to_have_attribute("data-state", "idle")

    for name, value in SETOSA.items():
        await page.fill(f"#input-{name}", str(value))
    await expect(page.get_by_test_id("error-sepal_length")).to_have_text("")
    await page.click("#predict-submit")
    result = page.get_by_test_id("predict-result")
    await expect(result).to_have_attribute("data-state", "ok", timeout=WAIT_MS)
    await expect(result.get_by_test_id("prediction-value")).to_have_text("setosa")
    await screenshot(page, "websocket-ui-predict.png")

    # a value the browser rejects clears the previous prediction: nothing on screen that was not asked for
    await page.fill("#input-sepal_length", "12")
    await page.click("#predict-submit")
    await expect(result).to_have_attribute("data-state", "idle")
    await expect(result.get_by_test_id("prediction-value")).to_have_count(0)
    await expect(result).to_contain_text("Not sent")
    await page.fill("#input-sepal_length", str(SETOSA["sepal_length"]))

    # the model's own verdict on bad input, when the browser is told not to judge it
    await page.check("#skip-validation")
    await page.fill("#input-petal_width", "50")
    await page.click("#predict-submit")
    await expect(result).to_have_attribute("data-state", "error", timeout=WAIT_MS)
    await expect(result.get_by_test_id("error-type")).to_have_text("SCHEMA_ERROR")
    await expect(result.get_by_test_id("error-message")).to_contain_text("petal_width")
    await screenshot(page, "websocket-ui-predict-error.png")


def _produce_inputs(
    settings: StreamprocSettings, topic: str, inputs: list[dict[str, Any]], batch: str
) -> None:
    producer = Producer({"bootstrap.servers": settings.bootstrap_servers})
    for index, data in enumerate(inputs):
        headers: list[tuple[str, str | bytes | None]] = [
            (CONTENT_TYPE, CONTENT_TYPE_JSON),
            (CORRELATION_ID, f"{batch}-{index}"),
        ]
        producer.produce(topic, json.dumps(data).encode(), headers=headers)
    assert producer.flush(30) == 0


async def _total(page: Page) -> int:
    return int(await page.get_by_test_id("dashboard-total").inner_text())


async def test_dashboard_updates_as_predictions_arrive(
    page: Page, websocket_url: str, stack_settings: StreamprocSettings, catalog: ModelCatalog
) -> None:
    await page.goto(f"{websocket_url}/#/models/iris_model/dashboard")
    await expect(page.get_by_test_id("subscription-status")).to_have_text("subscribed", timeout=WAIT_MS)
    rows = page.get_by_test_id("prediction-row")
    before = await _total(page)
    topic = catalog.get("iris_model").topics.inputs
    batch = uuid.uuid4().hex[:6]

    # waves, each sent once the dashboard has shown the previous one, so the rate chart has a shape
    pattern = [
        (SETOSA, "setosa"),
        (VERSICOLOR, "versicolor"),
        (VIRGINICA, "virginica"),
        (VIRGINICA, "virginica"),
    ]
    expected: Counter[str] = Counter()
    for wave, size in enumerate(WAVES):
        chosen = [pattern[(wave + i) % len(pattern)] for i in range(size)]
        expected.update(species for _, species in chosen)
        inputs = [data for data, _ in chosen]
        await asyncio.to_thread(_produce_inputs, stack_settings, topic, inputs, f"{batch}-{wave}")
        await _wait_total_at_least(page, before + expected.total())
        await page.wait_for_timeout(900)  # pacing for the chart's one-second buckets, not readiness

    await expect(rows).to_have_count(25)
    await expect(page.get_by_test_id("predictions-table")).to_contain_text(f"{batch}-{len(WAVES) - 1}-")
    distribution = await page.evaluate(
        "() => { const c = Chart.getChart('distribution-chart'); "
        "return Object.fromEntries(c.data.labels.map((l, i) => [l, c.data.datasets[0].data[i]])); }"
    )
    assert all(distribution[species] >= count for species, count in expected.items()), (
        distribution,
        expected,
    )
    rate = await page.evaluate("() => Chart.getChart('rate-chart').data.datasets[0].data")
    assert sum(rate) >= expected.total() and sum(1 for per_second in rate if per_second) >= 3
    await screenshot(page, "websocket-ui-dashboard.png")  # copied by hand to docs/dashboard.png


async def test_dashboard_names_inputs_by_key_or_none_without_a_correlation_id(
    page: Page, websocket_url: str, stack_settings: StreamprocSettings, catalog: ModelCatalog
) -> None:
    await page.goto(f"{websocket_url}/#/models/iris_model/dashboard")
    await expect(page.get_by_test_id("subscription-status")).to_have_text("subscribed", timeout=WAIT_MS)
    key = f"flower-{uuid.uuid4().hex[:6]}"

    def produce() -> None:  # as `streamproc send --key` and a bare `streamproc send` do: no correlation id
        producer = Producer({"bootstrap.servers": stack_settings.bootstrap_servers})
        headers = [(CONTENT_TYPE, CONTENT_TYPE_JSON)]
        for record_key in (key.encode(), None):
            producer.produce(catalog.get("iris_model").topics.inputs, json.dumps(SETOSA).encode(),
                             key=record_key, headers=headers)  # fmt: skip
        assert producer.flush(30) == 0

    await asyncio.to_thread(produce)
    ids = page.get_by_test_id("prediction-id")
    await expect(ids.filter(has_text=f"key {key}")).to_have_count(1, timeout=WAIT_MS)
    await expect(ids.filter(has_text="none")).not_to_have_count(0, timeout=WAIT_MS)
    await expect(ids.filter(has_text="—")).to_have_count(0)


async def test_docs_page_try_it_out_fills_the_schema_examples_and_predicts(
    page: Page, stack_settings: StreamprocSettings, catalog: ModelCatalog, requester: Requester
) -> None:
    from bridges.lifecycle import running_app
    from bridges.rest.app import build_rest_app

    async with running_app(build_rest_app(stack_settings, catalog, requester), "127.0.0.1", 0) as rest_url:
        await page.goto(f"{rest_url}/docs")
        operation = page.locator(".opblock", has_text="/api/models/iris_model/prediction")
        await operation.locator(".opblock-summary").click(timeout=WAIT_MS)
        await operation.locator(".try-out__btn").click()
        body = operation.locator("textarea.body-param__text")
        assert json.loads(await body.input_value()) == SETOSA  # the schema's examples, not its maximums
        await operation.locator(".execute").click()
        response = operation.locator(".live-responses-table td.response-col_description").last
        await expect(response).to_contain_text("setosa", timeout=WAIT_MS)
        await screenshot(page, "rest-docs-try-it-out.png")


async def _wait_total_at_least(page: Page, count: int) -> None:
    await page.wait_for_function(
        "n => Number(document.getElementById('dashboard-total').textContent) >= n", arg=count, timeout=WAIT_MS
    )


async def test_a_token_protected_bridge_asks_for_its_token_and_works_with_it(
    page: Page,
    browser: Browser,
    stack_settings: StreamprocSettings,
    catalog: ModelCatalog,
    requester: Requester,
    feed: PredictionFeed,
) -> None:
    from bridges.lifecycle import running_app
    from bridges.websocket.app import build_websocket_app

    token = f"ui-{uuid.uuid4().hex}"
    settings = stack_settings.model_copy(update={"bridge_tokens": SecretStr(token)})
    async with running_app(build_websocket_app(settings, catalog, requester, feed), "127.0.0.1", 0) as url:
        await page.goto(f"{url}/")  # no token: the page says so, and neither the API nor the socket answers
        await expect(page.get_by_test_id("token-message")).to_have_text(
            "This bridge requires an access token.", timeout=WAIT_MS
        )
        await expect(page.get_by_test_id("connection-status")).to_have_text("token required", timeout=WAIT_MS)
        await expect(page.get_by_test_id("model-card")).to_have_count(0)
        await screenshot(page, "websocket-ui-token-required.png")

        await page.fill("#token-input", "not-the-token")
        await page.click("#token-submit")
        await expect(page.get_by_test_id("token-message")).to_have_text(
            "This bridge refused the access token.", timeout=WAIT_MS
        )

        await page.fill("#token-input", token)
        await page.click("#token-submit")
        await expect(page.locator('[data-testid=model-card][data-model="iris_model"]')).to_be_visible(
            timeout=WAIT_MS
        )
        await expect(page.get_by_test_id("connection-status")).to_have_text("connected", timeout=WAIT_MS)
        await page.goto(f"{url}/#/models/iris_model/predict")  # the tab keeps its token
        await expect(page.get_by_test_id("connection-status")).to_have_text("connected", timeout=WAIT_MS)
        for name, value in SETOSA.items():
            await page.fill(f"#input-{name}", str(value))
        await page.click("#predict-submit")
        result = page.get_by_test_id("predict-result")
        await expect(result.get_by_test_id("prediction-value")).to_have_text("setosa", timeout=WAIT_MS)

        context = await browser.new_context()  # a link carrying the token works in a fresh tab
        try:
            tab = await context.new_page()
            await tab.goto(f"{url}/?token={token}#/models/iris_model")
            await expect(tab.get_by_test_id("model-version")).to_have_text("0.1.0", timeout=WAIT_MS)
            await expect(tab.get_by_test_id("connection-status")).to_have_text("connected", timeout=WAIT_MS)
            assert token not in tab.url  # not left in the address bar
        finally:
            await context.close()
