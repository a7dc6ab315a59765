package io.hookline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import io.smallrye.config.common.utils.StringUtil;

/**
 * Each service's image can be built two ways: {@code src/main/docker/Dockerfile.jvm}, or {@code -Pimage} (Quarkus
 * with Jib). Without a Docker engine or the base image here, this checks what a container would get from either:
 * the same base image, user, port, environment and JVM options, the Jib options read as Quarkus reads a list (a
 * comma splits it), and this machine's JVM starting with exactly those options.
 */
class ImageConfigTest {

    static final Path ROOT = LocalRunTest.ROOT;
    static final Pattern ENV = Pattern.compile("(?m)^ENV (\\w+)=(\"[^\"]*\"|\\S+)$");
    /** What Quarkus's Jib build gives every image itself; the Dockerfile names them. */
    static final List<String> JIB_OWN = List.of("-Dquarkus.http.host=", "-Djava.util.logging.manager=");

    /** The ENV lines of a Dockerfile, quotes removed. */
    static Map<String, String> environment(String dockerfile) {
        Map<String, String> env = new LinkedHashMap<>();
        Matcher m = ENV.matcher(dockerfile);
        while (m.find()) {
            env.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
        }
        return env;
    }

    /** The last line of an instruction: the one in force when the container starts. */
    static String line(String dockerfile, String instruction) {
        Matcher m = Pattern.compile("(?m)^" + instruction + " (.+)$").matcher(dockerfile);
        String last = null;
        while (m.find()) {
            last = m.group(1).trim();
        }
        assertTrue(last != null, "the Dockerfile has " + instruction);
        return last;
    }

    /** The properties of the pom's {@code image} profile. */
    static Map<String, String> imageProfile(Path pom) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
        NodeList profiles = doc.getElementsByTagName("profile");
        for (int i = 0; i < profiles.getLength(); i++) {
            Element profile = (Element) profiles.item(i);
            if ("image".equals(profile.getElementsByTagName("id").item(0).getTextContent().trim())) {
                Map<String, String> properties = new TreeMap<>();
                NodeList children = profile.getElementsByTagName("properties").item(0).getChildNodes();
                for (int c = 0; c < children.getLength(); c++) {
                    Node child = children.item(c);
                    if (child.getNodeType() == Node.ELEMENT_NODE) {
                        properties.put(child.getNodeName(), child.getTextContent().trim());
                    }
                }
                return properties;
            }
        }
        throw new AssertionError(pom + " has no image profile");
    }

    /** The JVM options of the Dockerfile's JAVA_OPTS_APPEND, without the two Quarkus's Jib build adds itself. */
    static List<String> dockerfileOptions(Map<String, String> env) {
        List<String> options = new ArrayList<>();
        for (String option : env.get("JAVA_OPTS_APPEND").split(" +")) {
            if (JIB_OWN.stream().noneMatch(option::startsWith)) {
                options.add(option);
            }
        }
        return options;
    }

    @ParameterizedTest
    @ValueSource(strings = { "gateway", "processor" })
    void jibAndTheDockerfileGiveAContainerTheSameJvm(String module) throws Exception {
        String dockerfile = Files.readString(ROOT.resolve(module + "/src/main/docker/Dockerfile.jvm"));
        Map<String, String> env = environment(dockerfile);
        Map<String, String> jib = imageProfile(ROOT.resolve(module + "/pom.xml"));

        assertEquals(line(dockerfile, "FROM"), jib.get("quarkus.jib.base-jvm-image"), module + ": base image");
        assertEquals("185", line(dockerfile, "USER"), module + ": the Dockerfile's last user");
        assertEquals(line(dockerfile, "USER"), jib.get("quarkus.jib.user"), module + ": user");
        assertEquals(line(dockerfile, "EXPOSE"), jib.get("quarkus.jib.ports"), module + ": port");

        // quarkus.jib.jvm-additional-arguments is a list: Quarkus splits it where StringUtil.split does.
        List<String> jibOptions = Arrays.asList(StringUtil.split(jib.get("quarkus.jib.jvm-additional-arguments")));
        for (String option : jibOptions) {
            assertTrue(option.startsWith("-"), module + ": each Jib JVM argument is an option, not '" + option + "'");
        }
        assertEquals(dockerfileOptions(env), jibOptions, module + ": JVM options");

        Map<String, String> dockerEnv = new TreeMap<>(env);
        dockerEnv.keySet().removeAll(List.of("JAVA_OPTS_APPEND", "JAVA_APP_JAR", "LANGUAGE"));
        Map<String, String> jibEnv = new TreeMap<>();
        jib.forEach((key, value) -> {
            if (key.startsWith("quarkus.jib.environment-variables.")) {
                jibEnv.put(key.substring("quarkus.jib.environment-variables.".length()), value);
            }
        });
        assertEquals(dockerEnv, jibEnv, module + ": environment");
    }

    @ParameterizedTest
    @ValueSource(strings = { "gateway", "processor" })
    void thisMachinesJvmStartsWithTheImagesOptions(String module) throws Exception {
        Map<String, String> env = environment(Files.readString(ROOT.resolve(module + "/src/main/docker/Dockerfile.jvm")));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (env.containsKey("GC_CONTAINER_OPTIONS")) {
            command.addAll(List.of(env.get("GC_CONTAINER_OPTIONS").split(" +")));
        }
        command.addAll(List.of(env.get("JAVA_OPTS_APPEND").split(" +")));
        command.add("-version");
        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes());
        assertTrue(java.waitFor(60, TimeUnit.SECONDS), "java -version ended");
        assertEquals(0, java.exitValue(), module + ": " + command + "\n" + output);
        assertFalse(output.toLowerCase().contains("warning"), module + ": the JVM warns of an option\n" + output);
    }
}
