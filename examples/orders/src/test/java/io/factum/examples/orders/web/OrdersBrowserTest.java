package io.factum.examples.orders.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.factum.examples.orders.app.OrdersApp;
import io.factum.examples.orders.app.OrdersMain;
import io.factum.examples.orders.payments.PaymentProvider;
import io.javalin.Javalin;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.net.PortProber;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}), as a
 * person uses it: register a customer, start an order, add items, correct a price, confirm, follow the
 * payment, read the timeline and look at an earlier version. Fails, never skips, when the browser is
 * missing: the pages' htmx behaviour is only tested here.
 */
class OrdersBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path dir;

    private OrdersApp app;
    private Javalin web;
    private String base;
    private ChromeDriverService service;
    private WebDriver browser;
    private WebDriverWait wait;
    private Path profile;

    @BeforeEach
    void start() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("the browser test needs Chromium at " + CHROMIUM + " and ChromeDriver at " + CHROMEDRIVER
                    + "; install them with: apt-get install -y chromium chromium-driver");
        }
        // never let Selenium Manager look for (or download) a driver or a browser
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        profile = Files.createTempDirectory("factum-orders-chromium");
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
                "--window-size=1300,1600",
                "--user-data-dir=" + profile);
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(10));
        // a provider that approves every payment: a confirmed order goes on to PAID and SHIPPED
        app = OrdersApp.builder()
                .sqlite(dir.resolve("orders.db"))
                .paymentProvider(PaymentProvider.always(PaymentProvider.Answer.APPROVE))
                .start();
        web = OrdersMain.serve(app, "127.0.0.1", 0, "admin-password-for-tests");
        base = "http://127.0.0.1:" + web.port();
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (web != null) {
            web.stop();
        }
        if (app != null) {
            app.close();
        }
        if (profile != null) {
            deleteRecursively(profile.toFile());
        }
    }

    @Test
    void a_page_of_another_site_that_posts_a_form_in_the_clerks_browser_changes_nothing() throws IOException {
        // given a customer, and a page on another port (another origin) that posts "forget" at once
        java.util.UUID customer = java.util.UUID.randomUUID();
        assertThat(app.send(new io.factum.examples.orders.customers.CustomerCommand.RegisterCustomer(
                        customer,
                        "Ada Lovelace",
                        "ada@example.com",
                        new io.factum.examples.orders.customers.Address("1 Way", "London", "N1", "GB"))))
                .isInstanceOf(io.factum.core.command.CommandResult.Accepted.class);
        String target = base + "/customers/" + customer + "/forget";
        byte[] attack = ("<!doctype html><form id=f method=post action='" + target + "'>"
                        + "<input name=confirm value=yes></form><script>document.getElementById('f').submit()</script>")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        com.sun.net.httpserver.HttpServer evil =
                com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        evil.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, attack.length);
            try (var body = exchange.getResponseBody()) {
                body.write(attack);
            }
        });
        evil.start();
        try {
            // when the clerk's browser opens it
            browser.get("http://127.0.0.1:" + evil.getAddress().getPort() + "/");
            wait.until(ExpectedConditions.urlToBe(target));

            // then the post was refused and the customer is still there
            assertThat(browser.getPageSource()).contains("cross-site-request");
            assertThat(app.customers().load(customer.toString()).state().forgotten())
                    .isFalse();
        } finally {
            evil.stop(0);
        }
    }

    @Test
    void places_an_order_corrects_a_price_sees_it_paid_and_looks_at_an_earlier_version() throws IOException {
        // given a customer registered through the form
        browser.get(base + "/customers/new");
        assertThat(browser.getTitle()).isEqualTo("Register a customer · Factum orders");
        assertThat(((JavascriptExecutor) browser).executeScript("return typeof htmx"))
                .isEqualTo("object");
        fill(
                "register",
                Map.of(
                        "name", "Ada <b>Lovelace</b>",
                        "email", "ada@example.com",
                        "street", "12 Analytical Row",
                        "city", "London",
                        "postalCode", "N1 9GU",
                        "country", "GB"));
        submit("register");
        assertThat(textOf("customer-name")).isEqualTo("Ada <b>Lovelace</b>");
        assertThat(browser.findElements(By.cssSelector("#customer-name b"))).isEmpty();

        // when an order is started and two items are added
        submit("start-order");
        textOf("order-id");
        assertThat(textOf("notice")).isEqualTo("Order started. Add its items.");
        addItem("BOOK-1", "2", "12.50");
        waitForText("order-total", "25.00");
        addItem("PEN-3", "1", "3.20");

        // then the page shows the total of both
        waitForText("order-total", "28.20");
        assertThat(browser.findElement(By.id("lines")).getText()).contains("BOOK-1", "PEN-3");

        // when a quantity of 0 is entered, the rule is shown next to the form and nothing changes
        addItem("PEN-3", "0", "3.20");
        String error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#add-item .errors")))
                .getText();
        assertThat(error).isEqualTo("quantity must be at least 1, got 0");
        assertThat(textOf("order-total")).isEqualTo("28.20");

        // when a price is corrected, the new total shows
        new Select(browser.findElement(By.cssSelector("#correct-price select[name=productId]")))
                .selectByValue("BOOK-1");
        fill("correct-price", Map.of("unitPrice", "10.00", "reason", "the catalogue price is 10.00"));
        submit("correct-price");
        waitForText("order-total", "23.20");

        // when an item is removed, the browser asks first; keeping it changes nothing, removing it does
        addItem("MUG-7", "1", "8.00");
        waitForText("order-total", "31.20");
        browser.findElement(By.cssSelector("#lines a[aria-label='Remove MUG-7…']"))
                .click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("remove-item-confirm")));
        assertThat(browser.findElement(By.tagName("h1")).getText()).startsWith("Remove MUG-7 from order #");
        screenshot("4-remove-item-confirmation.png");
        browser.findElement(By.id("keep-item")).click();
        waitForText("order-total", "31.20");
        browser.findElement(By.cssSelector("#lines a[aria-label='Remove MUG-7…']"))
                .click();
        submit("remove-item-confirm");
        waitForText("notice", "Item removed.");
        assertThat(textOf("order-total")).isEqualTo("23.20");

        // when the order is confirmed, the payment is approved: after a reload or two it is paid or shipped
        submit("confirm");
        waitForText("notice", "Order confirmed. Payment is requested; reload to follow it.");
        String status = textOf("order-status");
        for (int reloads = 0; reloads < 50 && !status.equals("Paid") && !status.equals("Shipped"); reloads++) {
            sleep(Duration.ofMillis(100));
            browser.navigate().refresh();
            status = textOf("order-status");
        }
        assertThat(status).isIn("Paid", "Shipped");
        assertThat(browser.findElement(By.id("order-status")).getAttribute("class"))
                .startsWith("badge badge-");

        // then the timeline tells the story in words, the fulfilment process's steps marked as its own,
        // and the events' types and ids are folded away until asked for
        WebElement timeline = browser.findElement(By.id("timeline"));
        assertThat(timeline.getText())
                .contains("Order started for Ada <b>Lovelace</b>", "Added 2 × BOOK-1 at 12.50")
                .contains("Price of BOOK-1 corrected from 12.50 to 10.00: the catalogue price is 10.00")
                .contains("a person (user web)")
                .doesNotContain("OrderCreated", "correlation");
        List<WebElement> byProcess = timeline.findElements(By.cssSelector("li.process"));
        assertThat(byProcess).isNotEmpty();
        assertThat(byProcess.getFirst().getText()).contains("Paid ", "the fulfilment process");
        WebElement details = byProcess.getFirst().findElement(By.tagName("details"));
        details.findElement(By.tagName("summary")).click();
        assertThat(details.getText()).contains("OrderPaid", "Correlation", "Causation");
        screenshot("3-order-page.png");

        // when an earlier version is picked: the order after its first item
        new Select(browser.findElement(By.id("version-picker"))).selectByValue("1");
        browser.findElement(By.cssSelector("#as-of-form button")).click();

        // then it shows as it was then, beside the current state
        waitForText("as-of-total", "25.00");
        assertThat(textOf("as-of-status")).isEqualTo("PENDING");
        assertThat(browser.findElement(By.id("as-of-lines")).getText()).isEqualTo("2 × BOOK-1 at 12.50");
        assertThat(textOf("order-total")).isEqualTo("23.20");
        screenshot("orders-order-page.png");

        // the list shows the order by its number and the customer's name, with its status as a badge,
        // and finds it by a product
        browser.findElement(By.linkText("Orders")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("search")));
        fill("search", Map.of("q", "pen-3"));
        submit("search");
        WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#orders tbody tr")));
        assertThat(row.getText()).contains("Ada <b>Lovelace</b>").containsPattern("#[0-9A-F]{8}");
        assertThat(row.findElement(By.cssSelector(".badge")).getText()).isIn("Paid", "Shipped");
        screenshot("1-order-list-search.png");

        // and the admin pages are one click away (they ask for the admin password), and link back
        assertThat(browser.findElement(By.id("admin-link")).getAttribute("href"))
                .endsWith("/admin");
        browser.get(base.replace("http://", "http://admin:admin-password-for-tests@") + "/admin");
        WebElement back = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("application-link")));
        assertThat(back.getText()).isEqualTo("← Orders app");
        screenshot("5-admin-pages.png");
        back.click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("search")));
        assertThat(browser.getTitle()).isEqualTo("Orders · Factum orders");
    }

    @Test
    void the_order_list_pages_through_many_orders_and_looks_like_a_product() throws IOException {
        // given: enough orders for three pages, some cancelled, some confirmed (then paid and shipped)
        var customer = java.util.UUID.randomUUID();
        app.send(new io.factum.examples.orders.customers.CustomerCommand.RegisterCustomer(
                customer,
                "Katherine Johnson",
                "katherine@example.com",
                new io.factum.examples.orders.customers.Address("1 Langley Way", "Hampton", "23666", "US")));
        io.factum.core.Position last = io.factum.core.Position.START;
        for (int i = 0; i < 2 * OrdersWeb.PAGE_SIZE + 5; i++) {
            var order = java.util.UUID.randomUUID();
            app.send(new io.factum.examples.orders.ordering.OrderCommand.CreateOrder(order, customer));
            var done = app.send(new io.factum.examples.orders.ordering.OrderCommand.AddItem(
                    order, "ORBIT-" + i, 1 + i % 3, new java.math.BigDecimal("4.50")));
            if (i % 7 == 3) {
                done = app.send(
                        new io.factum.examples.orders.ordering.OrderCommand.CancelOrder(order, "the launch moved"));
            } else if (i % 5 == 1) {
                done = app.send(new io.factum.examples.orders.ordering.OrderCommand.ConfirmOrder(order));
            }
            last = ((io.factum.core.command.CommandResult.Accepted) done).position();
        }

        // when: the list is opened (after the last write) and paged through
        browser.get(base + "/?after=" + last);
        assertThat(browser.getTitle()).isEqualTo("Orders · Factum orders");
        assertThat(textOf("page-of")).startsWith("Page 1 of ");
        screenshot("0-order-list.png");
        browser.findElement(By.id("next-page")).click();
        wait.until(ExpectedConditions.textMatches(By.id("page-of"), java.util.regex.Pattern.compile("Page 2 of .*")));
        assertThat(browser.findElements(By.cssSelector("#orders tbody tr"))).hasSize(OrdersWeb.PAGE_SIZE);

        // then: the status filters are links with counts, and the favicon is the app's own
        assertThat(browser.findElement(By.cssSelector("nav.statuses")).getText())
                .contains("All (", "Pending (", "Shipped (", "Cancelled (");
        assertThat(browser.findElement(By.cssSelector("link[rel=icon]")).getAttribute("href"))
                .endsWith("/favicon.svg");

        // and a customer's page lists their orders by number with badges
        browser.findElement(By.linkText("Customers")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("customers")))
                .findElement(By.linkText("Katherine Johnson"))
                .click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("customer-orders")));
        assertThat(browser.findElements(By.cssSelector("#customer-orders .badge")))
                .hasSize(2 * OrdersWeb.PAGE_SIZE + 5);
        assertThat(browser.findElements(By.cssSelector("#customer-orders .badge-cancelled")))
                .isNotEmpty();
        screenshot("2-customer-page.png");
    }

    private void fill(String form, Map<String, String> values) {
        values.forEach((name, value) -> {
            WebElement input = browser.findElement(By.cssSelector("#" + form + " [name=" + name + "]"));
            input.clear();
            input.sendKeys(value);
        });
    }

    private void addItem(String product, String quantity, String price) {
        fill("add-item", Map.of("productId", product, "quantity", quantity, "unitPrice", price));
        submit("add-item");
    }

    /**
     * Waits for the form (the page that has it may still be loading: a link was just followed), submits it
     * and waits until htmx has swapped in the page it led to.
     */
    private void submit(String form) {
        WebElement button = wait.until(
                ExpectedConditions.elementToBeClickable(By.cssSelector("#" + form + " button[type=submit]")));
        button.click();
        wait.until(ExpectedConditions.stalenessOf(button));
    }

    private String textOf(String id) {
        return wait.until(ExpectedConditions.presenceOfElementLocated(By.id(id)))
                .getText();
    }

    private void waitForText(String id, String text) {
        wait.until(ExpectedConditions.textToBe(By.id(id), text));
    }

    /**
     * Saves what the browser shows under {@code target/screenshots/}: the order list (0: page one, 1: a
     * search), a customer (2), an order with its timeline and one event's details opened (3), and the
     * question before an item is removed (4), the admin pages with their link back (5); {@code
     * target/orders-order-page.png} as before.
     */
    private void screenshot(String name) throws IOException {
        Path file =
                name.equals("orders-order-page.png") ? Path.of("target", name) : Path.of("target", "screenshots", name);
        Files.createDirectories(file.getParent());
        Files.copy(
                ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(),
                file,
                StandardCopyOption.REPLACE_EXISTING);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the payment", e);
        }
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
