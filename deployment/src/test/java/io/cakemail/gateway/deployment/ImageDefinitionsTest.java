package io.cakemail.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The image is defined twice, for Jib (this module's {@code image} profile) and for Docker (the Dockerfile): both
 * must run the same command as the same user with the same ports and settings, on the same base, and the chart
 * must run it as that user.
 */
class ImageDefinitionsTest {

    private static final Pattern ENV_PAIR = Pattern.compile("([A-Z0-9_]+)=(\\S+)");

    private static Document pom;
    private static Element jib;
    private static Map<String, String> dockerfile;

    @BeforeAll
    static void read() throws Exception {
        pom = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(Path.of("pom.xml").toFile());
        jib = (Element) xpath().evaluate(
                        "//profile[id='image']//plugin[artifactId='jib-maven-plugin']/configuration",
                        pom,
                        XPathConstants.NODE);
        dockerfile = runtimeStage(Files.readAllLines(DockerfileTest.DOCKERFILE));
    }

    @Test
    void bothRunTheJarWithTheSameCommand() throws Exception {
        List<String> jibEntrypoint = texts("container/entrypoint/arg");
        List<String> dockerEntrypoint =
                Arrays.asList(new ObjectMapper().readValue(dockerfile.get("ENTRYPOINT"), String[].class));

        assertThat(dockerEntrypoint).isEqualTo(jibEntrypoint);
        assertThat(jibEntrypoint)
                .contains("-XX:MaxRAMPercentage=40", "-XX:+UseParallelGC", "-XX:+ExitOnOutOfMemoryError")
                .endsWith("-jar", "/app/smtp-gateway.jar");
    }

    /**
     * The collector is chosen, not left to the JVM, which picks the Serial one in a pod of one CPU (or under 1792 MB):
     * the image's flags give the Parallel collector there too (measured best at one CPU, docs/operations.md).
     */
    @Test
    void theImagesFlagsChooseTheCollectorEvenOnOneCpu() throws Exception {
        List<String> flags = texts("container/entrypoint/arg").stream()
                .filter(arg -> arg.startsWith("-XX:"))
                .toList();
        List<String> command = new ArrayList<>(List.of(GatewayJar.java(), "-XX:ActiveProcessorCount=1"));
        command.addAll(flags);
        command.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
        Command finalFlags = Command.run(Path.of("."), Map.of(), java.time.Duration.ofMinutes(1), command);
        assertThat(finalFlags.exitCode()).as(finalFlags.output()).isZero();
        assertThat(finalFlags.output().lines().filter(line -> line.contains(" UseParallelGC ")))
                .singleElement()
                .satisfies(line -> assertThat(line).contains("= true"));
        assertThat(finalFlags.output().lines().filter(line -> line.contains(" UseSerialGC ")))
                .singleElement()
                .satisfies(line -> assertThat(line).contains("= false"));
    }

    @Test
    void bothDeclareTheSamePortsAndSettingsAndUser() throws Exception {
        Map<String, String> jibEnvironment = new LinkedHashMap<>();
        NodeList variables = (NodeList) xpath().evaluate("container/environment/*", jib, XPathConstants.NODESET);
        for (int i = 0; i < variables.getLength(); i++) {
            jibEnvironment.put(
                    variables.item(i).getNodeName(), variables.item(i).getTextContent());
        }
        Map<String, String> dockerEnvironment = new LinkedHashMap<>();
        Matcher pair = ENV_PAIR.matcher(dockerfile.get("ENV"));
        while (pair.find()) {
            dockerEnvironment.put(pair.group(1), pair.group(2));
        }

        assertThat(dockerEnvironment).isEqualTo(jibEnvironment);
        assertThat(List.of(dockerfile.get("EXPOSE").split(" "))).isEqualTo(texts("container/ports/port"));
        assertThat(texts("container/ports/port"))
                .containsExactly(
                        jibEnvironment.get("GATEWAY_SMTP_PORT"),
                        jibEnvironment.get("GATEWAY_SMTPS_PORT"),
                        jibEnvironment.get("GATEWAY_HTTP_PORT"));
        assertThat(dockerfile.get("USER")).isEqualTo(texts("container/user").get(0));
    }

    @Test
    void bothStartFromTheSameBaseAndTheChartRunsAsTheImagesUser() throws Exception {
        String base = xpath().evaluate("/project/properties/image.base", pom);
        long chartUser = HelmChart.render(Map.of())
                .one(Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getSecurityContext()
                .getRunAsUser();

        assertThat(dockerfile.get("FROM")).isEqualTo(base);
        assertThat(dockerfile.get("USER")).isEqualTo(chartUser + ":" + chartUser);
    }

    private static List<String> texts(String path) throws Exception {
        NodeList nodes = (NodeList) xpath().evaluate(path, jib, XPathConstants.NODESET);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node node = nodes.item(i);
            texts.add(node.getTextContent().trim());
        }
        return texts;
    }

    private static XPath xpath() {
        return XPathFactory.newInstance().newXPath();
    }

    /** The instructions of the Dockerfile's last stage, continuation lines joined, by instruction name. */
    private static Map<String, String> runtimeStage(List<String> lines) {
        Map<String, String> instructions = new LinkedHashMap<>();
        StringBuilder current = new StringBuilder();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            current.append(line.strip());
            if (line.endsWith("\\")) {
                current.setLength(current.length() - 1);
                continue;
            }
            String instruction = current.toString();
            current.setLength(0);
            int space = instruction.indexOf(' ');
            String name = instruction.substring(0, space);
            if (name.equals("FROM")) {
                instructions.clear();
            }
            instructions.put(name, instruction.substring(space + 1).replaceAll("\\s+", " "));
        }
        return instructions;
    }
}
