package io.cakemail.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cakemail.gateway.common.Setting;
import io.cakemail.gateway.common.SettingTable;
import io.cakemail.gateway.server.config.GatewayConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every setting declared in the configuration package, found by reflection rather than from the list the gateway
 * reads, appears in {@code --help}, in the start-up summary and on the configuration page; and the page's table is
 * the settings' own, row for row.
 */
class EverySettingIsDocumentedTest {

    private static final Path PAGE = Path.of("..", "docs", "configuration.md");

    @Test
    void everyDeclaredSettingIsInTheHelpTheStartupSummaryAndTheConfigurationPage() throws Exception {
        Set<Setting<?>> declared = declaredSettings();
        assertThat(declared).hasSizeGreaterThan(60);
        ByteArrayOutputStream help = new ByteArrayOutputStream();
        GatewayMain.usage(new PrintStream(help, true, StandardCharsets.UTF_8), null);
        List<String> summary = GatewayConfig.effectiveSettings(Map.of());
        String page = Files.readString(PAGE);
        assertThat(declared).allSatisfy(setting -> {
            assertThat(help.toString(StandardCharsets.UTF_8)).as("--help").contains(setting.name() + " ");
            assertThat(summary).as("the start-up summary").anyMatch(line -> line.startsWith(setting.name() + "="));
            assertThat(page).as("docs/configuration.md").contains("| `" + setting.name() + "` |");
        });
        assertThat(GatewayConfig.SETTINGS)
                .as("the settings the gateway reads")
                .containsExactlyInAnyOrderElementsOf(declared);
    }

    /** The page's table is the settings table; a failure writes the table to paste next to the build output. */
    @Test
    void theConfigurationPagesTableIsTheSettingsTable() throws IOException {
        StringBuilder table = new StringBuilder("| Variable | Default | Meaning |\n| --- | --- | --- |\n");
        for (Setting<?> setting : GatewayConfig.SETTINGS) {
            String defaultText =
                    setting.defaultText().startsWith("(") ? setting.defaultText() : '`' + setting.defaultText() + '`';
            table.append("| `")
                    .append(setting.name())
                    .append("` | ")
                    .append(defaultText)
                    .append(" | ")
                    .append(setting.description())
                    .append(" |\n");
        }
        String page = Files.readString(PAGE);
        if (!page.contains(table)) {
            Path expected = Path.of("target", "configuration-table.md");
            Files.writeString(expected, table);
            assertThat(page)
                    .as("docs/configuration.md's table; the expected one is in " + expected.toAbsolutePath())
                    .contains(table);
        }
    }

    /** The settings held in static fields of the configuration package's classes, tables' rows included. */
    private static Set<Setting<?>> declaredSettings()
            throws IOException, ReflectiveOperationException, URISyntaxException {
        Path classes = Path.of(GatewayConfig.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        Path folder = classes.resolve(GatewayConfig.class.getPackageName().replace('.', '/'));
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            files.map(path -> path.getFileName().toString())
                    .filter(name -> name.endsWith(".class"))
                    .forEach(name -> names.add(name.substring(0, name.length() - ".class".length())));
        }
        Set<Setting<?>> settings = new LinkedHashSet<>();
        for (String name : names) {
            for (Field field : Class.forName(GatewayConfig.class.getPackageName() + "." + name)
                    .getDeclaredFields()) {
                if (!Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                field.setAccessible(true);
                Object value = field.get(null);
                if (value instanceof Setting<?> setting) {
                    settings.add(setting);
                } else if (value instanceof SettingTable<?> table) {
                    settings.addAll(table.settings());
                }
            }
        }
        return settings;
    }
}
