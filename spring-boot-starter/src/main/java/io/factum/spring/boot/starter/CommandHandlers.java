package io.factum.spring.boot.starter;

import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandHandler;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.core.ResolvableType;

/**
 * Registers the {@link CommandHandler} beans of a context with a command bus, each for the command type of
 * its generic signature: the return type of its {@code @Bean} method ({@code CommandHandler<Deposit>}) or
 * the class that implements it ({@code class DepositHandler implements CommandHandler<Deposit>}).
 */
final class CommandHandlers {

    private CommandHandlers() {}

    /**
     * @throws FactumConfigurationException if a handler's command type cannot be told, or two handler beans
     *     are for one command type
     */
    static void register(ConfigurableListableBeanFactory beans, CommandBus.Builder bus) {
        Map<Class<?>, String> registered = new LinkedHashMap<>();
        for (String name : beans.getBeanNamesForType(CommandHandler.class)) {
            CommandHandler<?> handler = beans.getBean(name, CommandHandler.class);
            Class<?> commandType = commandType(beans, name, handler);
            String other = registered.putIfAbsent(commandType, name);
            if (other != null) {
                throw new FactumConfigurationException("command " + commandType.getName() + " has two handler"
                        + " beans, '" + other + "' and '" + name + "'; a command type has exactly one handler");
            }
            register(bus, commandType, handler);
        }
    }

    @SuppressWarnings("unchecked") // the handler's own signature says it takes this command type
    private static <C> void register(CommandBus.Builder bus, Class<C> commandType, CommandHandler<?> handler) {
        bus.handle(commandType, (CommandHandler<? super C>) handler);
    }

    private static Class<?> commandType(ConfigurableListableBeanFactory beans, String name, CommandHandler<?> handler) {
        // the declared type first: a lambda's class has lost its generic signature
        Class<?> declared = commandTypeOf(declaredType(beans, name));
        if (declared != null) {
            return declared;
        }
        Class<?> implemented = commandTypeOf(ResolvableType.forClass(handler.getClass()));
        if (implemented != null) {
            return implemented;
        }
        throw new FactumConfigurationException("the command type of handler bean '" + name + "' cannot be told"
                + " from its signature (" + declaredType(beans, name) + "); declare the bean as"
                + " CommandHandler<YourCommand> (the @Bean method's return type, or the class's implements"
                + " clause), or define a CommandBus bean of your own");
    }

    private static ResolvableType declaredType(ConfigurableListableBeanFactory beans, String name) {
        if (!beans.containsBeanDefinition(name)) {
            return ResolvableType.NONE;
        }
        BeanDefinition definition = beans.getMergedBeanDefinition(name);
        if (definition instanceof RootBeanDefinition root && root.getResolvedFactoryMethod() != null) {
            return ResolvableType.forMethodReturnType(root.getResolvedFactoryMethod());
        }
        return definition.getResolvableType();
    }

    private static @Nullable Class<?> commandTypeOf(ResolvableType type) {
        ResolvableType command = type.as(CommandHandler.class).getGeneric(0);
        Class<?> resolved = command.resolve();
        // CommandHandler<?> or CommandHandler<Object> would take every command: not a type to register
        return resolved == null || resolved == Object.class ? null : resolved;
    }
}
