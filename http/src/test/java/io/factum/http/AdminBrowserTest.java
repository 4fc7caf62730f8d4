package io.factum.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.factum.core.subscription.SubscriptionState;
import io.factum.http.AdminTestApp.FakeProjection;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.net.PortProber;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin pages in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}):
 * navigation, escaping as a browser renders it, and an htmx action. Fails, never skips, when the browser
 * is missing: the pages' JavaScript is only tested here.
 */
class AdminBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private AdminTestApp app;
    private ChromeDriverService service;
    private WebDriver browser;
    private Path profile;

    @BeforeEach
    void start() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("the browser test needs Chromium at " + CHROMIUM + " and ChromeDriver at " + CHROMEDRIVER
                    + "; install them with: apt-get install -y chromium chromium-driver");
        }
        // never let Selenium Manager look for (or download) a driver or a browser
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        profile = Files.createTempDirectory("factum-admin-chromium");
        // the service's constructor, not its builder: the builder's @AutoService annotation is not on the
        // test class path and javac warns about it (and the build treats warnings as errors)
        int port = PortProber.findFreePort();
        service = new ChromeDriverService(
                CHROMEDRIVER.toFile(), port, Duration.ofSeconds(20), List.of("--port=" + port), Map.of());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--window-size=1400,1000",
                "--user-data-dir=" + profile);
        browser = new ChromeDriver(service, options);
        app = new AdminTestApp().start();
    }

    @AfterEach
    void stop() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (app != null) {
            app.close();
        }
        if (profile != null) {
            deleteRecursively(profile.toFile());
        }
    }

    @Test
    void follows_a_stream_to_an_event_and_rebuilds_a_projection() throws IOException {
        // given
        UUID correlation = UUID.randomUUID();
        app.append(
                "order-42", correlation, correlation, UUID.randomUUID(), "OrderPlaced", "{\"item\":\"<b>teapot</b>\"}");
        app.readSide.subscription(new FakeProjection("orders", 1, 1, SubscriptionState.LIVE));
        AtomicInteger rebuilds = new AtomicInteger();
        app.readSide.rebuilder("orders", () -> {
            rebuilds.incrementAndGet();
            app.readSide.subscription(new FakeProjection("orders", 2, 1, SubscriptionState.CATCHING_UP));
        });
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10));

        // when a stream is followed from the landing page to its event
        browser.get(app.base() + "/admin");
        assertThat(browser.getTitle()).isEqualTo("Store · Factum admin");
        browser.findElement(By.linkText("order-42")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("stream-id")));
        assertThat(browser.findElement(By.id("stream-id")).getText()).isEqualTo("order-42");
        browser.findElement(By.cssSelector("a.event-link")).click();

        // then the event's data shows as text, markup and all, not as markup
        String data = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("event-data")))
                .getText();
        assertThat(data).contains("\"item\" : \"<b>teapot</b>\"");
        assertThat(browser.findElements(By.cssSelector("#event-data b"))).isEmpty();
        assertThat(browser.findElement(By.id("event-metadata")).getText()).contains(correlation.toString());

        // when the rebuild button of the projection is clicked
        browser.findElement(By.linkText("Projections & subscriptions")).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("button.rebuild")))
                .click();

        // then htmx posted it and swapped the answer in, and the callback ran
        String answer = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".action-result")))
                .getText();
        assertThat(answer).startsWith("rebuild of 'orders' started");
        assertThat(rebuilds.get()).isEqualTo(1);
        assertThat(browser.getCurrentUrl()).isEqualTo(app.base() + "/admin/projections");
        Path screenshot = Path.of("target", "admin-projections.png");
        Files.createDirectories(screenshot.getParent());
        Files.copy(
                ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(),
                screenshot,
                StandardCopyOption.REPLACE_EXISTING);

        browser.navigate().refresh();
        assertThat(browser.findElement(By.cssSelector(".rebuilding")).getText()).contains("rebuild in progress");
    }

    private static void deleteRecursively(File file) {
        File[] children = file.listFiles();
        if (children != null) {
            for (File child : children) {
                deleteRecursively(child);
            }
        }
        if (!file.delete() && file.exists()) {
            file.deleteOnExit();
        }
    }
}
