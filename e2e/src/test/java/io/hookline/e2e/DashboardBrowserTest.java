package io.hookline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.sun.net.httpserver.HttpServer;

import io.hookline.devstack.LocalKafka;

/**
 * The dashboard in a real headless Chromium, as an operator uses it: through a reverse proxy that serves the
 * processor under /hookline/, logged in with a token; last night's failure red in the calendar, a new job appearing
 * without a reload (server-sent events through the proxy), filters, a job's page, a pin, a silence set from the page
 * that mutes the next alert (a real webhook receiver does not get it, while it gets another job's), a dead letter
 * replayed, a test message, the read role without any action, a phone's width, the keyboard. Screenshots of each
 * page go to target/screenshots.
 *
 * <p>Runs where Chromium and its driver are installed (Debian: chromium, chromium-driver; .ci/run installs them):
 * the e2e module's browser profile turns on by /usr/bin/chromium.
 */
class DashboardBrowserTest {

    static final Path ROOT = LocalRunTest.ROOT;
    static final String TOKEN = "e2e-dash-token-0123456789abcdef";
    static final String OPERATOR = "e2e-dash-operator-0123456789abcdef";
    static final String VIEWER = "e2e-dash-viewer-0123456789abcdef";
    static final String CHROMIUM = System.getProperty("hookline.chromium", "/usr/bin/chromium");
    static final String DRIVER = System.getProperty("hookline.chromedriver", "/usr/bin/chromedriver");
    static final Path SHOTS = Path.of("target", "screenshots");
    static final String RED = "rgba(207, 34, 46, 1)";
    static final String GREEN = "rgba(26, 127, 55, 1)";

    @TempDir
    Path home;

    final HttpClient http = HttpClient.newHttpClient();
    WebDriver browser;

    /** A webhook receiver: what it was sent, and the status it answers. */
    static final class Receiver implements AutoCloseable {
        final List<String> bodies = new CopyOnWriteArrayList<>();
        final AtomicInteger answer = new AtomicInteger(200);
        final HttpServer server;

        Receiver() throws Exception {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
            server.createContext("/", exchange -> {
                try (exchange) {
                    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    int status = answer.get();
                    if (status == 200) {
                        bodies.add(body);
                    }
                    exchange.sendResponseHeaders(status, -1);
                }
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        }

        boolean got(String text) {
            return bodies.stream().anyMatch(body -> body.contains(text));
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    void hook(int gateway, String host, String job, int pid, boolean ok) throws Exception {
        hook(gateway, host, job, pid, ok, 120);
    }

    void hook(int gateway, String host, String job, int pid, boolean ok, int seconds) throws Exception {
        String cmd = b64("--backup-point=/vmfs/volumes/nas --backup-vms=\"VM" + pid + "\" --backup-id=" + job);
        String query = b64("PID=" + pid + "|t=" + seconds + "|hostname=" + host + "|cmd=" + cmd
                + (ok ? "" : "|err=" + b64("VM" + pid + ": snapshot failed")));
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway
                + "/hooks/xsibackup/" + TOKEN + (ok ? "/success?" : "/error?") + query)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("OK", answer.body());
    }

    WebDriverWait waiting(int seconds) {
        // The page redraws what changed while the test looks: an element may go stale between two looks.
        return (WebDriverWait) new WebDriverWait(browser, Duration.ofSeconds(seconds), Duration.ofMillis(100))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    }

    /**
     * Types into a field that the page may draw anew meanwhile (a live update, the answer to the last click): into
     * the new one then, until the field holds the text. The page keeps what the focused field holds when it redraws.
     */
    void type(By field, String text) {
        waiting(20).until(d -> {
            try {
                WebElement input = d.findElements(field).stream().filter(WebElement::isDisplayed).findFirst()
                        .orElse(null);
                if (input == null) {
                    return false;
                }
                if (!text.equals(input.getAttribute("value"))) {
                    input.clear();
                    input.sendKeys(text);
                }
                return text.equals(input.getAttribute("value"));
            } catch (org.openqa.selenium.StaleElementReferenceException redrawn) {
                return false;
            }
        });
    }

    WebElement shown(By by) {
        return waiting(20).until(d -> d.findElements(by).stream().filter(WebElement::isDisplayed).findFirst()
                .orElse(null));
    }

    /**
     * Clicks what {@code by} finds once it is shown, looking again when a live update redrew it between the look and
     * the click (the wait ignores a stale element; shown(by).click() failed so on a slow CI box, on a job's link).
     */
    void click(By by) {
        waiting(20).until(d -> {
            WebElement found = d.findElements(by).stream().filter(WebElement::isDisplayed).findFirst().orElse(null);
            if (found == null) {
                return false;
            }
            found.click();
            return true;
        });
    }

    String pageText() {
        return browser.findElement(By.tagName("body")).getText();
    }

    void awaitText(String text, int seconds) {
        try {
            waiting(seconds).until(d -> pageText().contains(text));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("the page never showed '" + text + "'; it shows:\n" + pageText(), e);
        }
    }

    /** The calendar cell of today in the row of {@code jobKey} on the overview. */
    WebElement today(String jobKey) {
        WebElement row = shown(By.xpath("//tr[td//a[text()='" + jobKey + "']][.//*[contains(concat(' ', @class, ' '), ' cal ')]]"));
        List<WebElement> cells = row.findElements(By.cssSelector(".cal .d"));
        assertEquals(14, cells.size(), "a fortnight of days in the row of " + jobKey);
        return cells.get(cells.size() - 1);
    }

    /** The job keys in the overview's job table, in order. */
    List<String> jobsShown() {
        try {
            return browser.findElements(By.cssSelector("#jobs tbody tr td:nth-child(2) a")).stream()
                    .map(WebElement::getText).toList();
        } catch (org.openqa.selenium.StaleElementReferenceException redrawn) {
            return List.of();
        }
    }

    void screenshot(String name) throws Exception {
        Files.createDirectories(SHOTS);
        // The whole page: the window as tall as the document (at most 4000 px), then back.
        Dimension window = browser.manage().window().getSize();
        long height = ((Number) ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollHeight;")).longValue();
        browser.manage().window().setSize(new Dimension(window.getWidth(), (int) Math.min(4000, height + 140)));
        Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        browser.manage().window().setSize(window);
    }

    void login(String proxyUrl, String token) {
        browser.get(proxyUrl);
        shown(By.id("token")).sendKeys(token);
        browser.findElement(By.cssSelector("#login button[type=submit]")).click();
        shown(By.cssSelector("#view h1"));
        waiting(20).until(d -> !d.findElement(By.id("login")).isDisplayed());
    }

    @Test
    void anOperatorSeesLastNightActsOnItAndWatchesItChangeLive() throws Exception {
        int kafkaPort = LocalRunTest.freePortPair();
        int gatewayPort = LocalKafka.freePort();
        int processorPort = LocalKafka.freePort();
        int proxyPort = LocalKafka.freePort();
        try (Receiver pager = new Receiver(); Receiver flaky = new Receiver()) {
            Path rules = home.resolve("rules.yaml");
            Files.writeString(rules, """
                    jobs:
                      - match: "e2e-xsi/*"
                        schedule: {every: 24h, grace: 2h}
                    receivers:
                      - {name: pager, type: webhook, url: "%s"}
                      - {name: flaky, type: webhook, url: "%s", max-attempts: 1}
                    routes:
                      - match: {host: esxi-flaky}
                        receiver: flaky
                    default-receiver: pager
                    """.formatted(pager.url(), flaky.url()));
            flaky.answer.set(500);
            try (LocalKafka kafka = new LocalKafka(home.resolve("kafka"), kafkaPort, kafkaPort + 1)
                    .start(Duration.ofMinutes(2)); Processes processes = new Processes(home)) {
                String bootstrap = kafka.bootstrapServers();
                Process gateway = processes.java("gateway", List.of("-Xmx256m", "-Dquarkus.http.port=" + gatewayPort,
                        "-Dkafka.bootstrap.servers=" + bootstrap, "-Dhookline.sources.e2e-xsi.kind=xsibackup",
                        "-Dhookline.sources.e2e-xsi.token=" + TOKEN, "-Dhookline.sources.e2e-xsi.rate-limit=1000",
                        "-jar", ROOT.resolve("gateway/target/quarkus-app/quarkus-run.jar").toString()));
                Process processor = processes.java("processor", List.of("-Xmx320m",
                        "-Dquarkus.http.port=" + processorPort, "-Dkafka.bootstrap.servers=" + bootstrap,
                        "-Dhookline.state-dir=" + home.resolve("state"), "-Dhookline.rules=" + rules,
                        "-Dhookline.api.users.ops.role=operate", "-Dhookline.api.users.ops.token=" + OPERATOR,
                        "-Dhookline.api.users.viewer.role=read", "-Dhookline.api.users.viewer.token=" + VIEWER,
                        "-jar", ROOT.resolve("processor/target/quarkus-app/quarkus-run.jar").toString()));
                processes.awaitReady("gateway", gatewayPort, gateway);
                processes.awaitReady("processor", processorPort, processor);
                // A week of nights of one job (its duration chart has a median), then tonight's two.
                for (int night = 0; night < 7; night++) {
                    hook(gatewayPort, "esxi-a", "web", 90 + night, true, 600 + 45 * (night % 3));
                }
                hook(gatewayPort, "esxi-a", "web", 101, true, 640);
                hook(gatewayPort, "esxi-a", "db", 102, false);

                try (PrefixProxy proxy = new PrefixProxy(proxyPort, processorPort)) {
                    browser = chromium();
                    try {
                        walkThrough(proxy.url(), gatewayPort, pager, flaky);
                    } catch (Throwable failure) {
                        screenshot("failure");
                        throw failure;
                    } finally {
                        browser.quit();
                    }
                }
            }
        }
    }

    void walkThrough(String url, int gateway, Receiver pager, Receiver flaky) throws Exception {
        // The login, through the proxy's /hookline/ prefix.
        login(url, OPERATOR);
        awaitText("ops (operate)", 20);

        // Last night's failure is red in the calendar; the success green; the feed is live.
        WebElement failed = waiting(30).until(d -> {
            WebElement cell = today("e2e-xsi/esxi-a/db");
            return "failed".equals(cell.getAttribute("data-outcome")) ? cell : null;
        });
        assertEquals(RED, failed.getCssValue("background-color"));
        assertTrue(failed.getAttribute("aria-label").contains("failed (1 run: 1 failed)"), failed.getAttribute("aria-label"));
        // Its runs were sent first, but another partition may be folded a moment later: the page catches up live.
        WebElement ok = waiting(20).until(d -> {
            WebElement cell = today("e2e-xsi/esxi-a/web");
            return "ok".equals(cell.getAttribute("data-outcome")) ? cell : null;
        });
        assertEquals(GREEN, ok.getCssValue("background-color"));
        waiting(20).until(d -> d.findElement(By.id("live")).getText().equals("live"));
        // The overview reads jobs and alerts side by side: a load while the failure is being folded may show the job
        // failed a moment before its alert; the live feed then has the page read both again within seconds.
        waiting(20).until(d -> d.findElement(By.id("firing-count")).getText().toLowerCase(java.util.Locale.ROOT)
                .equals("1 alert firing"));
        screenshot("overview");

        // A new failure appears without a reload: the page is the same document, updated from api/live.
        ((JavascriptExecutor) browser).executeScript("window.hooklineMarker = 42;");
        hook(gateway, "esxi-b", "files", 103, false);
        WebElement files = waiting(30).until(d -> d.findElements(By.linkText("e2e-xsi/esxi-b/files")).stream()
                .findFirst().orElse(null));
        assertEquals(42L, ((JavascriptExecutor) browser).executeScript("return window.hooklineMarker;"),
                "the page was reloaded instead of updated");
        assertEquals("failed", today("e2e-xsi/esxi-b/files").getAttribute("data-outcome"));
        assertTrue(files.isDisplayed());

        // Filters: the failing button, a host, the text; then cleared.
        click(By.cssSelector(".counts button[data-status=failing]"));
        waiting(20).until(d -> jobsShown().equals(List.of("e2e-xsi/esxi-a/db", "e2e-xsi/esxi-b/files")));
        new Select(shown(By.id("f-host"))).selectByValue("esxi-b");
        waiting(20).until(d -> jobsShown().equals(List.of("e2e-xsi/esxi-b/files")));
        assertTrue(browser.getCurrentUrl().contains("host=esxi-b") && browser.getCurrentUrl().contains("status=failing"),
                "the filters are in the address, to share: " + browser.getCurrentUrl());
        click(By.id("clear"));
        type(By.id("f-q"), "WEB");
        waiting(20).until(d -> jobsShown().equals(List.of("e2e-xsi/esxi-a/web")));
        click(By.id("clear"));
        shown(By.linkText("e2e-xsi/esxi-a/db"));

        // The job's page: schedule, next run, calendar, runs, charts, restore points.
        click(By.linkText("e2e-xsi/esxi-a/web"));
        waiting(20).until(d -> d.findElement(By.cssSelector("#view h1")).getText().contains("e2e-xsi/esxi-a/web"));
        awaitText("every 1d + 2h grace", 20);
        assertTrue(pageText().contains("Next run expected"), pageText());
        assertEquals(35, browser.findElements(By.cssSelector(".cal.big .d")).size());
        // Its duration chart: eight runs, and the dashed median once five successful runs came before.
        assertEquals(8, browser.findElements(By.cssSelector("svg.chart circle.pt")).size());
        assertEquals(1, browser.findElements(By.cssSelector("svg.chart path.median")).size());
        assertTrue(pageText().contains("xsibackup-101"), "its restore point: " + pageText());
        screenshot("job");

        // Pin its restore point from the page.
        click(By.cssSelector("[data-pin='xsibackup-101']"));
        // The page shows it once the pin is folded (the live stream, else a reload): a reload at most every 5 s, so
        // that a slow page gets to render between reloads.
        long[] reloaded = {System.nanoTime()};
        waiting(30).until(d -> {
            if (d.findElements(By.cssSelector("[data-pin='xsibackup-101'][data-pinned='true']")).size() == 1) {
                return true;
            }
            if (System.nanoTime() - reloaded[0] > TimeUnit.SECONDS.toNanos(5)) {
                d.navigate().refresh();
                reloaded[0] = System.nanoTime();
            }
            return false;
        });

        // Silence it for an hour from the page: its next failure alerts nobody, another job's still does.
        new Select(shown(By.id("s-for"))).selectByValue("1h");
        type(By.id("s-why"), "maintenance of esxi-a's datastore");
        click(By.id("silence"));
        awaitText("Silenced this job for 1 hour.", 20);
        awaitText("maintenance of esxi-a's datastore", 20);
        hook(gateway, "esxi-a", "web", 104, false);
        hook(gateway, "esxi-c", "other", 105, false);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!pager.got("e2e-xsi/esxi-c/other") && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(200);
        }
        assertTrue(pager.got("e2e-xsi/esxi-c/other"), "the unsilenced job's alert reached the pager: " + pager.bodies);
        TimeUnit.SECONDS.sleep(3);
        assertFalse(pager.got("e2e-xsi/esxi-a/web"), "the silenced job's alert reached the pager: " + pager.bodies);
        // The page shows the alert as silenced, pushed to it.
        waiting(30).until(d -> !d.findElements(By.cssSelector("#view .status.silenced")).isEmpty());
        assertEquals("failed", browser.findElements(By.cssSelector(".cal.big .d")).get(34).getAttribute("data-outcome"));
        click(By.cssSelector("[data-unsilence]"));
        waiting(20).until(d -> d.findElements(By.cssSelector("[data-unsilence]")).isEmpty());

        // A dead letter: the flaky receiver refused; once it answers again, a replay from the page delivers it.
        hook(gateway, "esxi-flaky", "vm", 106, false);
        click(By.linkText("Silences, dead letters, receivers"));
        WebElement replay = waiting(60).until(d -> d.findElements(By.cssSelector("[data-replay]")).stream().findFirst()
                .orElse(null));
        flaky.answer.set(200);
        screenshot("ops");
        replay.click();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!flaky.got("e2e-xsi/esxi-flaky/vm") && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(200);
        }
        assertTrue(flaky.got("e2e-xsi/esxi-flaky/vm"), "the replayed dead letter was delivered");
        awaitText("No dead letter", 30);

        // An outage of that receiver: two more dead letters, replayed with one button once it is back.
        flaky.answer.set(500);
        hook(gateway, "esxi-flaky", "vm2", 107, false);
        hook(gateway, "esxi-flaky", "vm3", 108, false);
        WebElement all = waiting(60).until(d -> d.findElements(By.id("replay-all")).stream()
                .filter(button -> button.getText().equals("Replay all 2 dead letters")).findFirst().orElse(null));
        flaky.answer.set(200);
        all.click();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(flaky.got("e2e-xsi/esxi-flaky/vm2") && flaky.got("e2e-xsi/esxi-flaky/vm3"))
                && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(200);
        }
        assertTrue(flaky.got("e2e-xsi/esxi-flaky/vm2") && flaky.got("e2e-xsi/esxi-flaky/vm3"),
                "both dead letters were delivered");
        awaitText("No dead letter", 30);

        // A test message to the pager, from the page.
        int before = pager.bodies.size();
        click(By.cssSelector("[data-test='pager']"));
        awaitText("Test message to pager: delivered (HTTP 200).", 20);
        // Among what the pager got since the click: an alert of the jobs above may arrive in the same moment.
        List<String> since = List.copyOf(pager.bodies);
        assertTrue(since.subList(before, since.size()).stream().anyMatch(body -> body.contains("\"test\":true")),
                "the pager got the test message: " + since.subList(before, since.size()));

        // The read role sees everything and can change nothing.
        click(By.id("logout"));
        shown(By.id("token"));
        login(url, VIEWER);
        awaitText("viewer (read only)", 20);
        browser.get(url + "#/job/" + java.net.URLEncoder.encode("e2e-xsi/esxi-a/db", StandardCharsets.UTF_8));
        awaitText("Your role is read only", 20);
        assertTrue(browser.findElements(By.id("silence")).isEmpty());
        assertTrue(browser.findElements(By.cssSelector("[data-pin]")).isEmpty());

        // The keyboard: the first Tab reaches the skip link, and it leads to the content.
        browser.get(url);
        shown(By.linkText("e2e-xsi/esxi-a/db"));
        new Actions(browser).sendKeys(Keys.TAB).perform();
        assertEquals("Skip to the content", browser.switchTo().activeElement().getText());

        // A phone: nothing wider than the screen, the calendar still there.
        browser.manage().window().setSize(new Dimension(390, 844));
        browser.navigate().refresh();
        shown(By.linkText("e2e-xsi/esxi-a/db"));
        Object overflow = ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertTrue(((Number) overflow).intValue() <= 1, "the page is " + overflow + " px wider than a phone");
        assertEquals("failed", today("e2e-xsi/esxi-a/db").getAttribute("data-outcome"));
        screenshot("overview-phone");

        // Many jobs are paged, 50 a page, the filters and counts over all of them.
        browser.manage().window().setSize(new Dimension(1280, 1000));
        for (int i = 0; i < 60; i++) {
            hook(gateway, "esxi-bulk", "vm" + (100 + i), 200 + i, true);
        }
        awaitText("jobs 1\u201350 of 67", 60);
        click(By.id("next"));
        awaitText("jobs 51\u201367 of 67", 20);
        assertEquals(17, jobsShown().size());
        assertFalse(shown(By.id("next")).isEnabled(), "the last page has no next");
        click(By.id("prev"));
        awaitText("jobs 1\u201350 of 67", 20);
        assertEquals(50, jobsShown().size());

        // An outage: more alerts fire than the overview lists. It counts them all and lists the latest 100.
        java.util.regex.Pattern alertsFiring = java.util.regex.Pattern.compile("(\\d+) alerts? firing");
        java.util.function.Function<WebDriver, Integer> firingCount = d -> d.findElements(By.id("firing-count"))
                .stream().map(e -> alertsFiring.matcher(e.getText().toLowerCase(java.util.Locale.ROOT)))
                .filter(java.util.regex.Matcher::matches).map(m -> Integer.parseInt(m.group(1))).findFirst()
                .orElse(null);
        for (int i = 0; i < 101; i++) {
            hook(gateway, "esxi-down", "vm" + (100 + i), 400 + i, false);
        }
        // The list says "more" from the 101st alert on, so the count is awaited until every outage alert is in: those
        // 101 and the seven jobs above that failed last (db, files, web, other, vm, vm2, vm3).
        int firing = 7 + 101;
        waiting(60).until(d -> Integer.valueOf(firing).equals(firingCount.apply(d)));
        WebElement more = shown(By.id("firing-more"));
        waiting(30).until(d -> d.findElement(By.id("firing-more")).getText().startsWith("The 100 latest of " + firing
                + " firing alerts"));
        assertEquals(100, browser.findElements(By.cssSelector("#alerts + .scroll tbody tr")).size(), more.getText());
        System.out.printf("dashboard: overview, job, ops and phone pages driven in %s through %s%n",
                ((org.openqa.selenium.HasCapabilities) browser).getCapabilities().getBrowserVersion(), url);
    }

    WebDriver chromium() {
        assertTrue(new File(CHROMIUM).canExecute(), CHROMIUM + " is not installed (Debian: apt-get install chromium"
                + " chromium-driver)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER))
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    static String b64(String text) {
        return java.util.Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
