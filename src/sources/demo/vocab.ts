/**
 * Word lists the demo data is assembled from. Names of people, channels, businesses and media are made up;
 * apps, sites and cities are real so that URLs and coordinates look like the real thing. Cities are in the
 * EEA, where Google's Data Portability API is offered.
 */

export interface City {
  readonly name: string;
  readonly country: string;
  readonly countryCode: string;
  readonly lat: number;
  readonly lng: number;
  readonly postcode: string;
  readonly streets: readonly string[];
  readonly phonePrefix: string;
}

export const CITIES: readonly City[] = [
  {
    name: 'Amsterdam',
    country: 'Netherlands',
    countryCode: 'NL',
    lat: 52.3676,
    lng: 4.9041,
    postcode: '1016 GV',
    streets: ['Prinsengracht', 'Kinkerstraat', 'Ferdinand Bolstraat', 'Haarlemmerdijk'],
    phonePrefix: '+31 20',
  },
  {
    name: 'Rotterdam',
    country: 'Netherlands',
    countryCode: 'NL',
    lat: 51.9244,
    lng: 4.4777,
    postcode: '3011 AD',
    streets: ['Witte de Withstraat', 'Nieuwe Binnenweg', 'Meent', 'Oude Binnenweg'],
    phonePrefix: '+31 10',
  },
  {
    name: 'Berlin',
    country: 'Germany',
    countryCode: 'DE',
    lat: 52.52,
    lng: 13.405,
    postcode: '10115',
    streets: ['Torstraße', 'Oranienstraße', 'Kastanienallee', 'Bergmannstraße'],
    phonePrefix: '+49 30',
  },
  {
    name: 'Munich',
    country: 'Germany',
    countryCode: 'DE',
    lat: 48.1351,
    lng: 11.582,
    postcode: '80331',
    streets: ['Sendlinger Straße', 'Leopoldstraße', 'Türkenstraße', 'Gärtnerplatz'],
    phonePrefix: '+49 89',
  },
  {
    name: 'Paris',
    country: 'France',
    countryCode: 'FR',
    lat: 48.8566,
    lng: 2.3522,
    postcode: '75011',
    streets: ['Rue Oberkampf', 'Rue de Rivoli', 'Boulevard Voltaire', 'Rue des Martyrs'],
    phonePrefix: '+33 1',
  },
  {
    name: 'Lyon',
    country: 'France',
    countryCode: 'FR',
    lat: 45.764,
    lng: 4.8357,
    postcode: '69002',
    streets: ['Rue de la République', 'Rue Mercière', 'Quai Saint-Antoine', 'Rue Victor Hugo'],
    phonePrefix: '+33 4',
  },
  {
    name: 'Madrid',
    country: 'Spain',
    countryCode: 'ES',
    lat: 40.4168,
    lng: -3.7038,
    postcode: '28004',
    streets: ['Calle de Fuencarral', 'Gran Vía', 'Calle Mayor', 'Calle de Alcalá'],
    phonePrefix: '+34 91',
  },
  {
    name: 'Barcelona',
    country: 'Spain',
    countryCode: 'ES',
    lat: 41.3874,
    lng: 2.1686,
    postcode: '08002',
    streets: ['Carrer de Verdi', 'La Rambla', 'Carrer del Consell de Cent', 'Passeig de Gràcia'],
    phonePrefix: '+34 93',
  },
  {
    name: 'Rome',
    country: 'Italy',
    countryCode: 'IT',
    lat: 41.9028,
    lng: 12.4964,
    postcode: '00186',
    streets: ['Via del Corso', 'Via Margutta', 'Via dei Coronari', 'Via Nazionale'],
    phonePrefix: '+39 06',
  },
  {
    name: 'Milan',
    country: 'Italy',
    countryCode: 'IT',
    lat: 45.4642,
    lng: 9.19,
    postcode: '20121',
    streets: ['Corso Como', 'Via Torino', 'Via Brera', 'Corso Buenos Aires'],
    phonePrefix: '+39 02',
  },
  {
    name: 'Lisbon',
    country: 'Portugal',
    countryCode: 'PT',
    lat: 38.7223,
    lng: -9.1393,
    postcode: '1200-195',
    streets: ['Rua Augusta', 'Rua da Rosa', 'Avenida da Liberdade', 'Rua do Norte'],
    phonePrefix: '+351 21',
  },
  {
    name: 'Vienna',
    country: 'Austria',
    countryCode: 'AT',
    lat: 48.2082,
    lng: 16.3738,
    postcode: '1070',
    streets: ['Mariahilfer Straße', 'Neubaugasse', 'Kärntner Straße', 'Burggasse'],
    phonePrefix: '+43 1',
  },
  {
    name: 'Copenhagen',
    country: 'Denmark',
    countryCode: 'DK',
    lat: 55.6761,
    lng: 12.5683,
    postcode: '1620',
    streets: ['Istedgade', 'Nørrebrogade', 'Vesterbrogade', 'Strøget'],
    phonePrefix: '+45',
  },
  {
    name: 'Stockholm',
    country: 'Sweden',
    countryCode: 'SE',
    lat: 59.3293,
    lng: 18.0686,
    postcode: '118 20',
    streets: ['Götgatan', 'Drottninggatan', 'Hornsgatan', 'Sveavägen'],
    phonePrefix: '+46 8',
  },
  {
    name: 'Warsaw',
    country: 'Poland',
    countryCode: 'PL',
    lat: 52.2297,
    lng: 21.0122,
    postcode: '00-001',
    streets: ['Nowy Świat', 'Marszałkowska', 'Chmielna', 'Hoża'],
    phonePrefix: '+48 22',
  },
  {
    name: 'Prague',
    country: 'Czechia',
    countryCode: 'CZ',
    lat: 50.0755,
    lng: 14.4378,
    postcode: '110 00',
    streets: ['Vodičkova', 'Náprstkova', 'Karlova', 'Dlouhá'],
    phonePrefix: '+420',
  },
  {
    name: 'Dublin',
    country: 'Ireland',
    countryCode: 'IE',
    lat: 53.3498,
    lng: -6.2603,
    postcode: 'D02 X285',
    streets: ['Grafton Street', 'Camden Street', 'Capel Street', 'Dame Street'],
    phonePrefix: '+353 1',
  },
  {
    name: 'Brussels',
    country: 'Belgium',
    countryCode: 'BE',
    lat: 50.8503,
    lng: 4.3517,
    postcode: '1000',
    streets: ['Rue Antoine Dansaert', 'Rue Neuve', 'Chaussée de Wavre', 'Rue du Midi'],
    phonePrefix: '+32 2',
  },
  {
    name: 'Helsinki',
    country: 'Finland',
    countryCode: 'FI',
    lat: 60.1699,
    lng: 24.9384,
    postcode: '00100',
    streets: ['Fredrikinkatu', 'Aleksanterinkatu', 'Bulevardi', 'Iso Roobertinkatu'],
    phonePrefix: '+358 9',
  },
  {
    name: 'Athens',
    country: 'Greece',
    countryCode: 'GR',
    lat: 37.9838,
    lng: 23.7275,
    postcode: '105 58',
    streets: ['Ermou', 'Adrianou', 'Athinas', 'Voulis'],
    phonePrefix: '+30 21',
  },
  {
    name: 'Oslo',
    country: 'Norway',
    countryCode: 'NO',
    lat: 59.9139,
    lng: 10.7522,
    postcode: '0159',
    streets: ['Karl Johans gate', 'Grünerløkka', 'Bogstadveien', 'Torggata'],
    phonePrefix: '+47',
  },
];

export const FIRST_NAMES = [
  'Anna',
  'Lukas',
  'Sofia',
  'Jonas',
  'Emma',
  'Mateo',
  'Lea',
  'Noah',
  'Clara',
  'Elias',
  'Marta',
  'Luca',
  'Ines',
  'Oskar',
  'Julia',
  'Hugo',
  'Eva',
  'Finn',
  'Nora',
  'Pablo',
];
export const LAST_NAMES = [
  'de Vries',
  'Müller',
  'Rossi',
  'García',
  'Dubois',
  'Nowak',
  'Jensen',
  'Silva',
  'Novák',
  'Murphy',
  'Peeters',
  'Virtanen',
  'Papadopoulos',
  'Berg',
  'Andersson',
  'Huber',
];

/** Search query fragments; a query is a subject plus, often, a qualifier. */
export const QUERY_SUBJECTS = [
  'weather',
  'pasta carbonara recipe',
  'train tickets',
  'flights',
  'opening hours pharmacy',
  'best running shoes',
  'how to descale a coffee machine',
  'typescript generics',
  'node 20 release notes',
  'football results',
  'cheap hotels',
  'museum tickets',
  'bike repair',
  'sourdough starter',
  'vegan lasagna',
  'electric car charging',
  'postgres jsonb index',
  'symptoms of flu',
  'learn spanish',
  'houseplants low light',
  'concert tickets',
  'second hand furniture',
  'public holidays',
  'exchange rate euro',
  'marathon training plan',
  'laptop reviews',
  'how tall is the eiffel tower',
  'sunrise time',
  'translate good morning',
  'pizza near me',
  'yoga for beginners',
  'birthday gift ideas',
  'apartment for rent',
  'tax return deadline',
  'wifi extender',
  'banana bread',
];
export const QUERY_QUALIFIERS = ['', '', 'tomorrow', 'this weekend', '2025', 'near me', 'reviews', 'price', 'vs', 'open now', 'for kids', 'reddit'];

export const MAPS_QUERIES = [
  'coffee',
  'restaurants',
  'supermarket',
  'pharmacy',
  'gas station',
  'ev charging station',
  'bakery',
  'parking',
  'hotels',
  'museum',
  'park',
  'bike shop',
  'hardware store',
  'train station',
  'bookshop',
  'ice cream',
];

export interface Site {
  readonly host: string;
  readonly name: string;
  readonly paths: readonly string[];
}

export const SITES: readonly Site[] = [
  { host: 'en.wikipedia.org', name: 'Wikipedia', paths: ['/wiki/Amsterdam', '/wiki/TypeScript', '/wiki/Sourdough', '/wiki/Marathon', '/wiki/Eiffel_Tower'] },
  { host: 'www.bbc.com', name: 'BBC', paths: ['/news/world', '/sport/football', '/news/technology', '/travel'] },
  { host: 'github.com', name: 'GitHub', paths: ['/nodejs/node', '/microsoft/TypeScript', '/vitest-dev/vitest', '/notifications'] },
  { host: 'stackoverflow.com', name: 'Stack Overflow', paths: ['/questions/tagged/typescript', '/questions/tagged/postgresql', '/questions'] },
  { host: 'www.theguardian.com', name: 'The Guardian', paths: ['/international', '/food', '/technology', '/environment'] },
  { host: 'www.booking.com', name: 'Booking.com', paths: ['/index.html', '/searchresults.html', '/city/nl/amsterdam.html'] },
  { host: 'www.ns.nl', name: 'NS', paths: ['/en/journeyplanner', '/en/tickets'] },
  { host: 'www.allrecipes.com', name: 'Allrecipes', paths: ['/recipe/banana-bread', '/recipe/vegan-lasagna', '/recipes/'] },
  { host: 'developer.mozilla.org', name: 'MDN Web Docs', paths: ['/en-US/docs/Web/JavaScript', '/en-US/docs/Web/HTTP/Status', '/en-US/docs/Web/API/fetch'] },
  { host: 'www.reddit.com', name: 'Reddit', paths: ['/r/running', '/r/Cooking', '/r/europe', '/r/typescript'] },
  { host: 'www.ikea.com', name: 'IKEA', paths: ['/nl/en/', '/de/de/cat/sofas', '/fr/fr/'] },
  { host: 'www.zalando.de', name: 'Zalando', paths: ['/herren-home/', '/damen-home/', '/laufschuhe/'] },
  { host: 'nodejs.org', name: 'Node.js', paths: ['/en/blog', '/api/stream.html', '/en/download'] },
  { host: 'mail.google.com', name: 'Gmail', paths: ['/mail/u/0/#inbox'] },
  { host: 'docs.google.com', name: 'Google Docs', paths: ['/document/u/0/', '/spreadsheets/u/0/'] },
  { host: 'www.nytimes.com', name: 'The New York Times', paths: ['/section/world', '/section/technology', '/crosswords'] },
];

export interface App {
  readonly title: string;
  readonly packageName: string;
  readonly category: string;
}

export const APPS: readonly App[] = [
  { title: 'Spotify: Music and Podcasts', packageName: 'com.spotify.music', category: 'Music & Audio' },
  { title: 'WhatsApp Messenger', packageName: 'com.whatsapp', category: 'Communication' },
  { title: 'Duolingo: Language Lessons', packageName: 'com.duolingo', category: 'Education' },
  { title: 'Google Maps', packageName: 'com.google.android.apps.maps', category: 'Travel & Local' },
  { title: 'YouTube', packageName: 'com.google.android.youtube', category: 'Video Players & Editors' },
  { title: 'Signal Private Messenger', packageName: 'org.thoughtcrime.securesms', category: 'Communication' },
  { title: 'Strava: Run, Bike, Hike', packageName: 'com.strava', category: 'Health & Fitness' },
  { title: 'Komoot: Hike & Bike Map', packageName: 'de.komoot.android', category: 'Health & Fitness' },
  { title: 'Firefox Fast & Private Browser', packageName: 'org.mozilla.firefox', category: 'Communication' },
  { title: 'Netflix', packageName: 'com.netflix.mediaclient', category: 'Entertainment' },
  { title: 'Google Photos', packageName: 'com.google.android.apps.photos', category: 'Photography' },
  { title: 'Snapseed', packageName: 'com.niksoftware.snapseed', category: 'Photography' },
  { title: 'Wikipedia', packageName: 'org.wikipedia', category: 'Books & Reference' },
  { title: 'Citymapper', packageName: 'com.citymapper.app.release', category: 'Maps & Navigation' },
  { title: 'Revolut', packageName: 'com.revolut.revolut', category: 'Finance' },
  { title: 'Chess - Play and Learn', packageName: 'com.chess', category: 'Board' },
  { title: 'Monument Valley 2', packageName: 'com.ustwo.monumentvalley2', category: 'Puzzle' },
  { title: 'Stardew Valley', packageName: 'com.chucklefish.stardewvalley', category: 'Simulation' },
  { title: 'Too Good To Go', packageName: 'com.app.tgtg', category: 'Food & Drink' },
  { title: 'Google Keep', packageName: 'com.google.android.keep', category: 'Productivity' },
  { title: 'Pocket Casts', packageName: 'au.com.shiftyjelly.pocketcasts', category: 'Music & Audio' },
  { title: 'Trainline', packageName: 'com.thetrainline', category: 'Travel & Local' },
  { title: 'Headspace', packageName: 'com.getsomeheadspace.android', category: 'Health & Fitness' },
  { title: 'Shazam', packageName: 'com.shazam.android', category: 'Music & Audio' },
];

export const BOOKS = [
  'The Quiet Harbour',
  'A Field Guide to Clouds',
  'Notes on Bread',
  'The Last Night Train',
  'Small Gardens',
  'Learning TypeScript',
  'The Cartographer’s Daughter',
  'Ten Walks in Lisbon',
];
export const MOVIES = [
  'The Long Harbor',
  'Paper Lanterns',
  'North of Midnight',
  'The Orchard Keeper',
  'Glass Mountains',
  'A Winter in Ghent',
  'Signal Fires',
  'The Silent Ferry',
  'Copper Sky',
  'Ordinary Heroes',
];
export const SHOWS = [
  'Harbour Lights',
  'The Bakers of Utrecht',
  'Station Eleven Days',
  'Cold Cases: Nordic',
  'Kitchen Island',
  'The Long Summer',
  'Orbit',
  'Mountain Rescue',
];

/** Channel names are built from these two lists. */
export const CHANNEL_ADJECTIVES = ['Quiet', 'Pixel', 'Rusty', 'Curious', 'Daily', 'Tiny', 'Northern', 'Urban', 'Slow', 'Golden', 'Midnight', 'Honest'];
export const CHANNEL_NOUNS = ['Kitchen', 'Garage', 'Cyclist', 'Code', 'Garden', 'Traveler', 'Science', 'Beats', 'Woodshop', 'Chess', 'Runner', 'Studio'];

export const VIDEO_TEMPLATES = [
  'How to {x} in 10 minutes',
  '{X}: everything you need to know',
  'I tried {x} for 30 days',
  'Why {x} is harder than it looks',
  '{X} for beginners',
  'The truth about {x}',
  '{X} — full tutorial',
  '5 mistakes everyone makes with {x}',
  '{X} (live session)',
  'Reacting to your {x} questions',
  'A day of {x}',
  '{X} explained in 4 minutes',
];
export const VIDEO_TOPICS = [
  'sourdough bread',
  'bike maintenance',
  'TypeScript generics',
  'balcony gardening',
  'chess openings',
  'marathon training',
  'film photography',
  'home espresso',
  'woodworking joints',
  'budget travel',
  'modular synths',
  'watercolor painting',
  'fixing a leaky tap',
  'learning Dutch',
  'night sky photography',
  'vegan meal prep',
];

export const SONGS = [
  'Northern Lights',
  'Paper Boats',
  'Late Train',
  'Golden Hour',
  'Harbour Song',
  'Slow Rivers',
  'Neon Rain',
  'Open Roads',
  'Glass Houses',
  'Summer Static',
];
export const ARTISTS = ['The Lanterns', 'Mira Voss', 'Kestrel', 'Low Tide Club', 'Ada & the Engines', 'Sundial', 'Nilo Reyes', 'Paper Moons'];

export const BUSINESS_KINDS = [
  'Café',
  'Bakery',
  'Trattoria',
  'Bistro',
  'Bookshop',
  'Coffee Roasters',
  'Bike Shop',
  'Wine Bar',
  'Ramen',
  'Deli',
  'Museum',
  'Hotel',
  'Pharmacy',
  'Market',
];
export const BUSINESS_NAMES = [
  'Lindenhof',
  'De Kroon',
  'Aurora',
  'Il Ponte',
  'Le Petit Coin',
  'Nordlicht',
  'Casa Verde',
  'Blue Door',
  'Oak & Ash',
  'Zuid',
  'Sol',
  'Harbour',
  'Kaiser',
  'Marigold',
];

export const PRODUCTS = [
  'Wireless noise-cancelling headphones',
  'Trail running shoes',
  'Cast iron skillet 28 cm',
  'Mechanical keyboard',
  'Espresso grinder',
  'Rain jacket',
  'E-reader 6"',
  'LED desk lamp',
  'Yoga mat',
  'Bike lights set',
  'Backpack 30 L',
  'Smart thermostat',
  'Electric toothbrush',
  'Board game: Carcassonne',
  "Chef's knife 20 cm",
  'USB-C charger 65 W',
];
export const MERCHANTS = ['bol.com', 'Zalando', 'MediaMarkt', 'Decathlon', 'Fnac', 'Coolblue', 'Otto', 'El Corte Inglés', 'Allegro'];

export const REVIEW_PHRASES = [
  'Friendly staff and great coffee.',
  'A bit crowded at lunch, but worth it.',
  'Best pastries in the neighbourhood!',
  'Good value for money.',
  'Service was slow tonight.',
  'Lovely terrace in the summer.',
  'Would come back.',
  'Clean, quiet and central.',
  'The menu changes every week, always something new.',
  'Prices went up recently.',
];
export const COMMENT_PHRASES = [
  'Great explanation, thanks!',
  'This helped me fix mine.',
  'Which camera do you use?',
  'Finally someone explains it properly.',
  'The part at 3:20 is gold.',
  'Could you do a follow-up on this?',
  'Tried it this weekend, worked perfectly.',
  'Underrated channel.',
  'Subscribed!',
  'Greetings from Lisbon!',
];

export const DEVICES = [
  { manufacturer: 'Google', model: 'Pixel 8', retailBrand: 'Google', deviceName: 'shiba', sdk: 34, ramBytes: 8_589_934_592 },
  { manufacturer: 'samsung', model: 'SM-S911B', retailBrand: 'Samsung', deviceName: 'dm1q', sdk: 34, ramBytes: 8_589_934_592 },
  { manufacturer: 'Fairphone', model: 'FP5', retailBrand: 'Fairphone', deviceName: 'FP5', sdk: 34, ramBytes: 8_589_934_592 },
  { manufacturer: 'motorola', model: 'moto g54 5G', retailBrand: 'motorola', deviceName: 'cancunf', sdk: 33, ramBytes: 4_294_967_296 },
  { manufacturer: 'Google', model: 'Pixel Tablet', retailBrand: 'Google', deviceName: 'tangorpro', sdk: 34, ramBytes: 8_589_934_592 },
  { manufacturer: 'OnePlus', model: 'CPH2449', retailBrand: 'OnePlus', deviceName: 'OP5958L1', sdk: 33, ramBytes: 12_884_901_888 },
] as const;

export const CARRIERS = ['Vodafone', 'KPN', 'Telekom', 'Orange', 'Movistar', 'TIM', 'Telia', 'Play', 'Three'];

export const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
export const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const HEX = '0123456789abcdef';
