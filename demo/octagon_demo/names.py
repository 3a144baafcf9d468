"""Small, hand-written name lists per region, and how a fighter's name and nickname are drawn from them.

Each region lists the countries (ISO 3166-1 alpha-2) its fighters come from, with weights; a name is a first name
and a surname of that region. Where a language inflects surnames for women (Russian, Polish, Czech...), the region
carries its own women's surnames.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class NameRegion:
    name: str
    weight: float
    """Share of the promotion's fighters from this region."""
    countries: tuple[tuple[str, float], ...]
    men: tuple[str, ...]
    women: tuple[str, ...]
    surnames: tuple[str, ...]
    womens_surnames: tuple[str, ...] = ()

    def draw_name(self, rng: random.Random, womens: bool) -> str:
        first = rng.choice(self.women if womens else self.men)
        surname = rng.choice(self.womens_surnames if womens and self.womens_surnames else self.surnames)
        return f"{first} {surname}"

    def draw_country(self, rng: random.Random) -> str:
        codes = [code for code, _ in self.countries]
        return rng.choices(codes, weights=[weight for _, weight in self.countries])[0]


REGIONS: tuple[NameRegion, ...] = (
    NameRegion(
        "anglophone", 30,
        (("US", 70), ("GB", 9), ("CA", 7), ("AU", 6), ("IE", 4), ("NZ", 4)),
        ("James", "Michael", "Tyler", "Cody", "Dustin", "Jake", "Ryan", "Brandon", "Justin", "Derek", "Travis", "Kyle",
         "Jordan", "Sean", "Nate", "Dan", "Chris", "Matt", "Josh", "Corey", "Austin", "Colby", "Jared", "Darren",
         "Liam", "Conor", "Tom", "Callum", "Jack", "Owen", "Aaron", "Marcus", "Terrance", "Jamal", "DeShawn", "Andre",
         "Caleb", "Logan", "Wyatt", "Brett", "Shane", "Kevin", "Eric", "Zach", "Mason", "Garrett", "Damon", "Reggie"),
        ("Jessica", "Ashley", "Amanda", "Rachel", "Sarah", "Kayla", "Megan", "Brittany", "Holly", "Miesha", "Tracy",
         "Erin", "Molly", "Chelsea", "Lauren", "Casey", "Jennifer", "Katie", "Danielle", "Paige", "Raquel", "Tiffany",
         "Angela", "Julia", "Nicole", "Taylor", "Jasmine", "Kelsey"),
        ("Miller", "Johnson", "Walker", "Thompson", "Harris", "Mitchell", "Bennett", "Brooks", "Hughes", "Carter",
         "Parker", "Evans", "Reed", "Coleman", "Foster", "Griffin", "Hayes", "Barnes", "Fisher", "Henderson",
         "Porter", "Sullivan", "Murphy", "O'Neill", "Gallagher", "Kennedy", "Doyle", "Brennan", "Fletcher", "Hart",
         "Chandler", "Sterling", "Vaughn", "Whitaker", "Holloway", "Lawler", "Dawson", "Pierce", "Montgomery",
         "Lambert", "Booker", "Jenkins", "Wallace", "Simmons", "Russell", "Graham", "Shaw", "Cole", "Knight", "Grant"),
    ),
    NameRegion(
        "lusophone", 13,
        (("BR", 92), ("PT", 8)),
        ("João", "Pedro", "Lucas", "Rafael", "Thiago", "Gabriel", "Rodrigo", "Anderson", "Vitor", "Fabrício", "Renan",
         "Diego", "Gilbert", "Paulo", "Marcos", "Wanderlei", "Antônio", "Charles", "Edson", "Alex", "Jailton", "Mauricio",
         "Glover", "Deiveson", "Caio", "Matheus", "Leandro", "Ronaldo", "Raoni", "Felipe", "Bruno", "Gustavo"),
        ("Amanda", "Cris", "Jéssica", "Mackenzie", "Viviane", "Taila", "Juliana", "Bethe", "Larissa", "Priscila",
         "Ketlen", "Mayra", "Karol", "Ariane", "Natália", "Luana", "Camila", "Beatriz", "Gabriela", "Tainara"),
        ("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Rodrigues", "Almeida", "Nascimento", "Lima",
         "Araújo", "Ferreira", "Carvalho", "Gomes", "Martins", "Rocha", "Ribeiro", "Barbosa", "Cardoso", "Teixeira",
         "Moraes", "Nogueira", "Machado", "Cavalcante", "Batista", "Freitas", "Monteiro", "Mendes", "Barros", "Pinheiro",
         "Figueiredo", "Antunes", "Magalhães", "Vieira", "Duarte"),
    ),
    NameRegion(
        "hispanic", 11,
        (("MX", 45), ("US", 15), ("AR", 8), ("ES", 8), ("PE", 6), ("CL", 5), ("CO", 5), ("VE", 4), ("EC", 4)),
        ("José", "Luis", "Carlos", "Alejandro", "Miguel", "Javier", "Diego", "Ricardo", "Fernando", "Jorge", "Eduardo",
         "Yair", "Brandon", "Erik", "Marco", "Andrés", "Sergio", "Raúl", "Héctor", "Adrián", "Cristian",
         "Daniel", "Manuel", "Omar", "Rubén", "Víctor"),
        ("Alexa", "Irene", "Yazmin", "Lupita", "Daniela", "Mariana", "Valeria", "Fernanda", "Gabriela",
         "Ximena", "Paola", "Andrea", "Lucía", "Carla", "Montserrat", "Sofía", "Rocío"),
        ("García", "Hernández", "Martínez", "López", "González", "Pérez", "Sánchez", "Ramírez", "Torres", "Flores",
         "Rivera", "Gómez", "Díaz", "Reyes", "Cruz", "Morales", "Ortiz", "Castillo", "Romero", "Vargas", "Mendoza",
         "Ruiz", "Aguilar", "Medina", "Navarro", "Guerrero", "Rojas", "Salazar", "Delgado", "Vega", "Cortés", "Fuentes"),
    ),
    NameRegion(
        "slavic", 9,
        (("RU", 55), ("UA", 18), ("BY", 7), ("PL", 12), ("CZ", 5), ("RS", 3)),
        ("Aleksei", "Dmitry", "Sergei", "Ivan", "Nikita", "Andrei", "Pavel", "Vladimir", "Yuri", "Maxim", "Artem",
         "Mikhail", "Oleksandr", "Bohdan", "Taras", "Kamil", "Mateusz", "Jan", "Jiří", "Marcin", "Stefan", "Roman",
         "Denis", "Viktor"),
        ("Valentina", "Antonina", "Irina", "Yana", "Marina", "Olga", "Anastasia", "Natalia", "Karolina", "Joanna",
         "Agnieszka", "Lucie", "Daria", "Ekaterina", "Viktoria", "Polina"),
        ("Volkov", "Petrov", "Smirnov", "Kuznetsov", "Sokolov", "Morozov", "Lebedev", "Orlov", "Pavlov", "Volkanov",
         "Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Kowalski", "Nowak", "Wiśniewski", "Mazur", "Novák",
         "Dvořák", "Jovanović", "Markov", "Zhukov", "Belov", "Karpov", "Gusev"),
        ("Volkova", "Petrova", "Smirnova", "Kuznetsova", "Sokolova", "Morozova", "Lebedeva", "Orlova", "Pavlova",
         "Kovalenko", "Shevchenko", "Bondarenko", "Kowalska", "Nowak", "Wiśniewska", "Mazur", "Nováková",
         "Dvořáková", "Jovanović", "Markova", "Belova", "Karpova"),
    ),
    NameRegion(
        "caucasus_central_asia", 7,
        (("RU", 55), ("GE", 12), ("AZ", 7), ("KZ", 10), ("KG", 6), ("UZ", 5), ("TJ", 5)),
        ("Khabib", "Islam", "Magomed", "Said", "Ruslan", "Shamil", "Abubakar", "Zabit", "Umar", "Rustam", "Muslim",
         "Akhmed", "Merab", "Giga", "Ilia", "Aslan", "Timur", "Arman", "Bakhtiyar", "Rafael", "Makhmud", "Kamil",
         "Ibragim", "Gadzhi", "Zaur", "Murad", "Tagir", "Shavkat"),
        ("Liana", "Zarina", "Aigerim", "Madina", "Aliya", "Dinara", "Kamila", "Leila", "Nino", "Aida"),
        ("Magomedov", "Gamzatov", "Daudov", "Gadzhiev", "Abdulaev", "Aliev", "Kurbanov", "Ismailov",
         "Omarov", "Umarov", "Khasbulaev", "Yusupov", "Dvalishvili", "Beridze", "Kiknadze", "Mamedov", "Huseynov",
         "Zhumabaev", "Seitkali", "Tursunov", "Ahmedov", "Nurmatov", "Rakhimov", "Saidov", "Tagirov", "Zakariev"),
        ("Magomedova", "Aliyeva", "Kurbanova", "Ismailova", "Omarova", "Yusupova", "Beridze", "Mamedova",
         "Zhumabaeva", "Tursunova", "Saidova", "Rakhimova"),
    ),
    NameRegion(
        "western_europe", 8,
        (("FR", 20), ("DE", 18), ("NL", 14), ("SE", 12), ("NO", 6), ("DK", 6), ("BE", 6), ("CH", 5), ("AT", 5),
         ("IT", 8)),
        ("Lucas", "Hugo", "Benoît", "Ciryl", "Nassourdine", "Jonas", "Niklas", "Lukas", "Felix", "Max",
         "Dennis", "Daan", "Jesper", "Alexander", "Erik", "Mads", "Mattias", "Marco", "Luca", "Alessio",
         "Stefan", "Florian", "Anders", "Reinier", "Johan", "Kevin", "Pierre", "Thomas"),
        ("Manon", "Léa", "Chloé", "Lina", "Hanna", "Sarah", "Julia", "Emma", "Anna", "Sanne", "Elin", "Ida", "Giulia",
         "Martina", "Pannie", "Stephanie"),
        ("Dubois", "Lefèvre", "Moreau", "Girard", "Fontaine", "Rousseau", "Müller", "Schmidt", "Schneider", "Weber",
         "Becker", "Hoffmann", "de Vries", "van Dijk", "Bakker", "Jansen", "de Ridder", "Andersson", "Johansson",
         "Lindqvist", "Nilsen", "Hansen", "Larsen", "Rossi", "Bianchi", "Ferrari", "Romano", "Peeters", "Maes",
         "Keller", "Huber", "Gruber"),
    ),
    NameRegion(
        "east_asia", 6,
        (("JP", 35), ("KR", 30), ("CN", 35)),
        ("Takanori", "Kazuki", "Yoshihiro", "Tatsuya", "Kyoji", "Rinya", "Tatsuro", "Chan-sung", "Doo-ho", "Dong-hyun",
         "Seung-woo", "Jung-yong", "Da-un", "Kyung-ho", "Li", "Zhang", "Song", "Wang", "Liu", "Yan", "Su", "Hao",
         "Wei", "Jun", "Kai"),
        ("Rin", "Mizuki", "Ayaka", "Yuka", "Saori", "Ji-yeon", "Seo-hee", "Min-ji", "Weili", "Yan", "Lina", "Xiaonan",
         "Jiayi", "Mei"),
        ("Tanaka", "Suzuki", "Takahashi", "Yamamoto", "Nakamura", "Kobayashi", "Hori", "Horiguchi", "Okami", "Kim",
         "Park", "Lee", "Choi", "Jung", "Kang", "Yoon", "Zhang", "Wang", "Li", "Liu", "Chen", "Yang", "Zhao", "Huang",
         "Wu", "Song", "Sun", "Ma"),
    ),
    NameRegion(
        "africa", 5,
        (("NG", 35), ("CM", 20), ("ZA", 15), ("CD", 10), ("GH", 10), ("SN", 10)),
        ("Kamaru", "Israel", "Francis", "Sodiq", "Kennedy", "Chidi", "Emeka", "Tunde", "Oluwale", "Themba", "Sipho",
         "Dricus", "Sinethemba", "Abdoulaye", "Mamadou", "Kofi", "Kwame", "Yaw", "Junior", "Christian", "Prince"),
        ("Chioma", "Ngozi", "Amara", "Zanele", "Thandi", "Aissatou", "Fatou", "Abena", "Akosua", "Nomsa"),
        ("Okafor", "Adeyemi", "Nwosu", "Okonkwo", "Balogun", "Eze", "Mensah", "Asante", "Boateng", "Owusu", "Diallo",
         "Ndiaye", "Sow", "Fall", "Ekambi", "Nkosi", "Dlamini", "Mokoena", "du Plessis", "van Wyk",
         "Kabongo", "Tshibangu", "Mutombo", "Yusuf"),
    ),
    NameRegion(
        "oceania_pacific", 3,
        (("NZ", 35), ("AU", 30), ("PH", 20), ("FJ", 5), ("WS", 5), ("TO", 5)),
        ("Tai", "Kai", "Tane", "Rua", "Nikora", "Manaia", "Sione", "Tevita", "Lemi", "Rolando", "Jeremy", "Mark",
         "Ramon", "Kiko", "Alesana"),
        ("Aroha", "Mere", "Losa", "Ana", "Mele", "Kiri", "Leilani", "Maria", "Jasmine"),
        ("Tuivasa", "Tuiasosopo", "Ngata", "Parata", "Tamihana", "Walker", "Hemara", "Fifita", "Taufa", "Lealaiauloto",
         "Santos", "Reyes", "Dela Cruz", "Bautista", "Manalo", "Tuilagi", "Vunipola"),
    ),
)

NICKNAMES: tuple[str, ...] = (
    "The Hammer", "Iron", "Thunder", "The Reaper", "Cyclone", "Pitbull", "The Natural", "Rowdy", "The Eagle",
    "Showtime", "The Machine", "Bulldog", "Mad Dog", "The Spider", "Rush", "Cowboy", "The Gladiator", "Viking",
    "The Butcher", "Stone Cold", "Blessed", "The Prodigy", "Lionheart", "The Assassin", "Hurricane", "Zombie",
    "The Tiger", "Wolverine", "The Phenom", "Suga", "Sniper", "The Nightmare", "Samurai", "The Bull", "Dynamite",
    "The Last Stylebender", "Rocky", "The Diamond", "Gamebred", "Chaos", "The Rock", "Borz", "The Eraser",
    "Bam Bam", "The Predator", "Jaguar", "Pantera", "Dragon", "Kid Dynamite", "Cannonball", "Tank", "Smokin'",
    "The Gentleman", "The Menace", "Bad Boy", "Magic", "The Technician", "Red", "Lightning", "Golden Boy",
    "The Matador", "Tornado", "Trouble", "The Maniac", "El Niño", "The Bear", "Punisher", "The Professor",
    "The Ghost", "Hitman", "Blade", "Juggernaut", "The Cobra", "Rampage", "The Wolf", "The Executioner",
    "Ice", "Venom", "The Hawk", "Spartan", "Bonecrusher", "Firestorm", "The Outlaw", "Kong", "Sledgehammer",
)


def draw_region(rng: random.Random) -> NameRegion:
    """A region, in proportion to its share of the roster."""
    return rng.choices(REGIONS, weights=[region.weight for region in REGIONS])[0]
