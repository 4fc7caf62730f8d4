package io.factum.http;

import io.factum.core.RecordedEvent;
import java.io.StringWriter;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/** Feeds and entries as Atom (RFC 4287) XML, the event's JSON entry as the entry's content. */
final class AtomWriter {

    static final String MEDIA_TYPE = "application/atom+xml";
    static final String AUTHOR = "Factum";

    private static final String ATOM = "http://www.w3.org/2005/Atom";
    private static final XMLOutputFactory FACTORY = XMLOutputFactory.newFactory();

    private AtomWriter() {}

    static String feed(FeedPage page, FeedUrls urls) {
        return write(xml -> {
            xml.writeStartElement("feed");
            xml.writeDefaultNamespace(ATOM);
            text(xml, "title", page.title());
            text(xml, "id", page.selfUrl());
            text(xml, "updated", page.updated().toString());
            author(xml);
            for (FeedPage.Link link : page.links()) {
                xml.writeEmptyElement("link");
                xml.writeAttribute("href", link.uri());
                xml.writeAttribute("rel", link.relation());
            }
            for (RecordedEvent event : page.entries()) {
                entry(xml, event, urls);
            }
            xml.writeEndElement();
        });
    }

    static String entry(RecordedEvent event, FeedUrls urls) {
        return write(xml -> entry(xml, event, urls));
    }

    private static void entry(XMLStreamWriter xml, RecordedEvent event, FeedUrls urls) throws XMLStreamException {
        String url = urls.event(event.streamId(), event.streamVersion());
        xml.writeStartElement("entry");
        xml.writeDefaultNamespace(ATOM);
        text(xml, "title", event.streamVersion() + "@" + event.streamId());
        text(xml, "id", url);
        text(xml, "updated", event.recordedAt().toString());
        author(xml);
        text(xml, "summary", event.type());
        for (String rel : new String[] {"edit", "alternate"}) {
            xml.writeEmptyElement("link");
            xml.writeAttribute("href", url);
            xml.writeAttribute("rel", rel);
        }
        xml.writeStartElement("content");
        xml.writeAttribute("type", "application/json");
        xml.writeCharacters(StreamJson.entry(event, urls).toString());
        xml.writeEndElement();
        xml.writeEndElement();
    }

    private static void author(XMLStreamWriter xml) throws XMLStreamException {
        xml.writeStartElement("author");
        text(xml, "name", AUTHOR);
        xml.writeEndElement();
    }

    private static void text(XMLStreamWriter xml, String element, String value) throws XMLStreamException {
        xml.writeStartElement(element);
        xml.writeCharacters(value);
        xml.writeEndElement();
    }

    private interface Body {
        void write(XMLStreamWriter xml) throws XMLStreamException;
    }

    private static String write(Body body) {
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter xml = FACTORY.createXMLStreamWriter(out);
            xml.writeStartDocument("UTF-8", "1.0");
            body.write(xml);
            xml.writeEndDocument();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("could not write an Atom document: " + e.getMessage(), e);
        }
        return out.toString();
    }
}
