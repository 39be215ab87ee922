package io.storageconnect.gateway.browser;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The system's Chromium, headless, driven by Selenium through the system's chromedriver (Debian's
 * {@code chromium} and {@code chromium-driver} packages). Nothing is ever downloaded: both paths
 * are given, so Selenium Manager never runs. A fresh profile per instance, deleted on close.
 *
 * <p>Test-thread only: every call blocks until the browser answers.
 */
final class HeadlessChromium implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  /** Generous: two shared cores, and a gateway whose bucket may first have to be found down. */
  static final Duration PATIENCE = Duration.ofSeconds(60);

  private final ChromeDriver driver;
  private final Path profile;

  private HeadlessChromium(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /**
   * Starts the browser; fails (never skips) when Chromium or its driver is not installed, with
   * how to install them.
   */
  static HeadlessChromium start(Path logDir) throws IOException {
    requireInstalled(BINARY);
    requireInstalled(DRIVER);
    // Belt and braces: should Selenium Manager ever run, it gets SE_* system properties as its
    // environment, and SE_OFFLINE=true forbids it any download.
    System.setProperty("SE_OFFLINE", "true");
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, DRIVER.toString());
    Files.createDirectories(logDir);
    Path profile = Files.createTempDirectory("chromium-profile-");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(DRIVER.toFile())
            .usingAnyFreePort()
            .withLogFile(logDir.resolve("chromedriver.log").toFile())
            .build();
    ChromeOptions options =
        new ChromeOptions()
            .setBinary(BINARY.toFile())
            .addArguments(
                // The machine's network is closed: nothing may wait on, or call, the outside.
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--autoplay-policy=no-user-gesture-required",
                "--user-data-dir=" + profile);
    ChromeDriver driver;
    try {
      driver = new ChromeDriver(service, options);
    } catch (RuntimeException e) {
      deleteTree(profile);
      throw e;
    }
    driver.manage().timeouts().scriptTimeout(PATIENCE).pageLoadTimeout(PATIENCE);
    return new HeadlessChromium(driver, profile);
  }

  private static void requireInstalled(Path path) {
    if (!Files.isExecutable(path)) {
      throw new AssertionError(path + " is missing: this test drives the system's Chromium. Install it with "
          + "`apt-get install chromium chromium-driver` (.ci/run does so on CI).");
    }
  }

  void open(String url) {
    driver.get(url);
  }

  /** Runs a script in the page and returns its value (numbers come back as Long or Double). */
  Object run(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /**
   * Runs a script that ends by calling its last argument with an object; waits up to {@link
   * #PATIENCE}.
   */
  @SuppressWarnings("unchecked")
  Map<String, Object> runAsync(String script, Object... args) {
    return (Map<String, Object>) ((JavascriptExecutor) driver).executeAsyncScript(script, args);
  }

  /**
   * Polls the page until {@code condition} (a script's truthy return value) holds, for up to
   * {@link #PATIENCE}; on time-out fails with {@code what} and the page's {@code state}.
   */
  void awaitTrue(String what, String condition, Supplier<Object> state) {
    try {
      new WebDriverWait(driver, PATIENCE, Duration.ofMillis(100))
          .until(d -> Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript("return !!(" + condition + ");")));
    } catch (TimeoutException e) {
      throw new AssertionError("timed out after " + PATIENCE.toSeconds() + " s waiting until " + what + "; page state: " + state.get(), e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      driver.quit();
    } finally {
      deleteTree(profile);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }
}
