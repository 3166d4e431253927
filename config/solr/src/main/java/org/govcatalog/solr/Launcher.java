package org.govcatalog.solr;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Starts Solr 9 (the code of the binary distribution, from Maven Central) on 127.0.0.1 with a
 * given solr home, and keeps it running until the JVM is told to stop.
 *
 * <p>Usage: {@code Launcher SOLR_HOME PORT}. The solr home holds solr.xml and one folder per core.
 */
public final class Launcher {

  private Launcher() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: Launcher SOLR_HOME PORT");
      System.exit(2);
    }
    Path home = Paths.get(args[0]).toAbsolutePath();
    int port = Integer.parseInt(args[1]);
    if (!Files.isRegularFile(home.resolve("solr.xml"))) {
      System.err.println("no solr.xml in " + home);
      System.exit(2);
    }
    System.setProperty("solr.solr.home", home.toString());
    System.setProperty("solr.install.dir", home.toString());
    // Fail at once on a taken port: the start script reports who holds it.
    JettyConfig config =
        JettyConfig.builder()
            .setPort(port)
            .setContext("/solr")
            .stopAtShutdown(true)
            .withPortRetryTime(0)
            .build();
    JettySolrRunner runner = new JettySolrRunner(home.toString(), config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    runner.stop();
                  } catch (Exception e) {
                    e.printStackTrace();
                  } finally {
                    stopped.countDown();
                  }
                }));
    runner.start();
    System.out.println("Solr " + runner.getBaseUrl() + " home=" + home);
    stopped.await();
  }
}
