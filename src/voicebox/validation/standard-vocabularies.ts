/**
 * The W3C and community vocabularies a query may use on any graph: their usual prefixes (added when
 * a query forgets to declare them) and the terms each defines. A term outside these lists is an
 * invented one (`rdfs:name`, `foaf:worksFor`), which a model writes often and no graph answers.
 */
export const WELL_KNOWN_PREFIXES: Readonly<Record<string, string>> = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  owl: 'http://www.w3.org/2002/07/owl#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  foaf: 'http://xmlns.com/foaf/0.1/',
  schema: 'http://schema.org/',
  dc: 'http://purl.org/dc/elements/1.1/',
  dcterms: 'http://purl.org/dc/terms/',
};

const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);

const RDF = words(`type Property Statement subject predicate object Bag Seq Alt List first rest nil
  value langString HTML XMLLiteral JSON PlainLiteral CompoundLiteral direction language`);
const RDFS = words(`Resource Class subClassOf subPropertyOf comment label domain range seeAlso
  isDefinedBy Literal Container ContainerMembershipProperty member Datatype`);
const OWL =
  words(`AllDifferent AllDisjointClasses AllDisjointProperties Annotation AnnotationProperty
  AsymmetricProperty Axiom Class DataRange DatatypeProperty DeprecatedClass DeprecatedProperty
  FunctionalProperty InverseFunctionalProperty IrreflexiveProperty NamedIndividual NegativePropertyAssertion
  Nothing ObjectProperty Ontology OntologyProperty ReflexiveProperty Restriction SymmetricProperty
  Thing TransitiveProperty allValuesFrom annotatedProperty annotatedSource annotatedTarget
  assertionProperty backwardCompatibleWith bottomDataProperty bottomObjectProperty cardinality
  complementOf datatypeComplementOf deprecated differentFrom disjointUnionOf disjointWith distinctMembers
  equivalentClass equivalentProperty hasKey hasSelf hasValue imports incompatibleWith intersectionOf
  inverseOf maxCardinality maxQualifiedCardinality members minCardinality minQualifiedCardinality
  onClass onDataRange onDatatype oneOf onProperties onProperty priorVersion propertyChainAxiom
  propertyDisjointWith qualifiedCardinality sameAs someValuesFrom sourceIndividual targetIndividual
  targetValue topDataProperty topObjectProperty unionOf versionIRI versionInfo withRestrictions`);
const XSD = words(`anyType anySimpleType anyAtomicType string boolean decimal float double duration
  dateTime time date gYearMonth gYear gMonthDay gDay gMonth hexBinary base64Binary anyURI QName
  NOTATION normalizedString token language NMTOKEN NMTOKENS Name NCName ID IDREF IDREFS ENTITY
  ENTITIES integer nonPositiveInteger negativeInteger long int short byte nonNegativeInteger
  unsignedLong unsignedInt unsignedShort unsignedByte positiveInteger yearMonthDuration
  dayTimeDuration dateTimeStamp`);
const SKOS = words(`Concept ConceptScheme Collection OrderedCollection inScheme hasTopConcept
  topConceptOf prefLabel altLabel hiddenLabel notation note changeNote definition editorialNote
  example historyNote scopeNote semanticRelation broader narrower related broaderTransitive
  narrowerTransitive member memberList mappingRelation closeMatch exactMatch broadMatch narrowMatch
  relatedMatch`);
const FOAF = words(`Agent Person Organization Group Project Document Image PersonalProfileDocument
  OnlineAccount OnlineChatAccount OnlineEcommerceAccount OnlineGamingAccount LabelProperty name
  title img depiction depicts familyName givenName firstName lastName surname nick mbox mbox_sha1sum
  homepage weblog openid jabberID aimChatID icqChatID msnChatID yahooChatID skypeID interest
  topic_interest knows based_near age made maker primaryTopic primaryTopicOf isPrimaryTopicOf
  thumbnail logo page tipjar sha1 member membershipClass account accountName accountServiceHomepage
  holdsAccount workplaceHomepage workInfoHomepage schoolHomepage publications currentProject
  pastProject fundedBy theme topic gender birthday phone plan myersBriggs dnaChecksum status
  geekcode focus family_name`);
const DC = words(`contributor coverage creator date description format identifier language publisher
  relation rights source subject title type`);
const DCTERMS = words(`${DC.join(' ')} abstract accessRights accrualMethod accrualPeriodicity
  accrualPolicy alternative audience available bibliographicCitation conformsTo created dateAccepted
  dateCopyrighted dateSubmitted educationLevel extent hasFormat hasPart hasVersion instructionalMethod
  isFormatOf isPartOf isReferencedBy isReplacedBy isRequiredBy issued isVersionOf license mediator
  medium modified provenance references replaces requires rightsHolder spatial tableOfContents
  temporal valid Agent AgentClass BibliographicResource FileFormat Frequency Jurisdiction
  LicenseDocument LinguisticSystem Location LocationPeriodOrJurisdiction MediaType MediaTypeOrExtent
  MethodOfAccrual MethodOfInstruction PeriodOfTime PhysicalMedium PhysicalResource Policy
  ProvenanceStatement RightsStatement SizeOrDuration Standard`);

/**
 * Terms per namespace. schema.org is absent on purpose: its 2,000-odd terms are not worth shipping,
 * so a schema.org term the graph does not declare is accepted unchecked.
 */
const TERMS_BY_NAMESPACE = new Map<string, ReadonlySet<string>>([
  [
    WELL_KNOWN_PREFIXES.rdf,
    new Set([...RDF, ...Array.from({ length: 50 }, (_, i) => `_${i + 1}`)]),
  ],
  [WELL_KNOWN_PREFIXES.rdfs, new Set(RDFS)],
  [WELL_KNOWN_PREFIXES.owl, new Set(OWL)],
  [WELL_KNOWN_PREFIXES.xsd, new Set(XSD)],
  [WELL_KNOWN_PREFIXES.skos, new Set(SKOS)],
  [WELL_KNOWN_PREFIXES.foaf, new Set(FOAF)],
  [WELL_KNOWN_PREFIXES.dc, new Set(DC)],
  [WELL_KNOWN_PREFIXES.dcterms, new Set(DCTERMS)],
]);

const STANDARD_NAMESPACES = new Set([
  ...Object.values(WELL_KNOWN_PREFIXES),
  'https://schema.org/',
  'http://www.w3.org/ns/shacl#',
]);

/** The namespace of an IRI: everything up to its last `#` or `/`. */
export function namespaceOf(iri: string): string {
  const cut = Math.max(iri.lastIndexOf('#'), iri.lastIndexOf('/'));
  return cut < 0 ? iri : iri.slice(0, cut + 1);
}

export function isStandardNamespace(namespace: string): boolean {
  return STANDARD_NAMESPACES.has(namespace);
}

/**
 * Whether a standard vocabulary defines the term: `true`/`false` for a listed vocabulary,
 * `undefined` when the IRI is in no standard namespace (or in one whose terms are not listed).
 */
export function isStandardTerm(iri: string): boolean | undefined {
  const ns = namespaceOf(iri);
  const terms = TERMS_BY_NAMESPACE.get(ns);
  if (terms) return terms.has(iri.slice(ns.length));
  return isStandardNamespace(ns) ? true : undefined;
}

/** The listed terms of the namespace an IRI belongs to, as full IRIs (for suggestions). */
export function standardTermsLike(iri: string): string[] {
  const ns = namespaceOf(iri);
  return [...(TERMS_BY_NAMESPACE.get(ns) ?? [])].map((t) => ns + t);
}
